import type { ConfigEvent } from "@hip/contracts";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Tx, withSystem } from "../../db/client.ts";
import { incidents, integrations } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { scheduleCredentials } from "../notices/expiry.ts";
import { resolveOpenIncident } from "../incidents/resolve-incident.ts";
import { type ApplyOutcome, BATCH_TX_EVENTS } from "./apply-status-event.ts";
import { firstTimeApplied, lockIntegration } from "./integration-row.ts";

const relevant = (e: ConfigEvent) => e.type !== "integration.test_requested";

/** One event in its own transaction (tests, tools). */
export async function applyConfigEvent(
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: ConfigEvent,
): Promise<ApplyOutcome> {
  if (!relevant(event)) return "ignored";
  return withSystem(deps.db, (tx) => applyConfigEventTx(tx, deps, event));
}

/** A fetched batch of one partition, in order, in one transaction (see applyStatusBatch). */
export async function applyConfigBatch(
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">,
  events: ConfigEvent[],
): Promise<ApplyOutcome[]> {
  if (!events.some(relevant)) return events.map(() => "ignored");
  const out: ApplyOutcome[] = [];
  for (let i = 0; i < events.length; i += BATCH_TX_EVENTS) {
    const chunk = events.slice(i, i + BATCH_TX_EVENTS);
    out.push(
      ...(await withSystem(deps.db, async (tx) => {
        const done: ApplyOutcome[] = [];
        for (const e of chunk) done.push(relevant(e) ? await applyConfigEventTx(tx, deps, e) : "ignored");
        return done;
      })),
    );
  }
  return out;
}

/**
 * Applies one integration.config.v1 event to the projection (name, type; deletion) in the caller's transaction,
 * once per event id and in sequence order. A deleted integration's unresolved incident is resolved (`deleted`).
 */
export async function applyConfigEventTx(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: ConfigEvent,
): Promise<ApplyOutcome> {
  if (event.type === "integration.test_requested") return "ignored";
  if (!(await firstTimeApplied(tx, event.id))) return "duplicate";
  const row = await lockIntegration(tx, event.subject, event.tenantid);
  if (row.tenantId !== event.tenantid) return "ignored";
  if (event.sequence <= row.configSeq) return "stale";
  if (event.type === "integration.deleted") {
    await tx
      .update(integrations)
      .set({
        name: event.data.name,
        type: event.data.integrationType,
        configSeq: event.sequence,
        deletedSeq: event.sequence,
        updatedAt: sql`now()`,
      })
      .where(eq(integrations.id, row.id));
    const resolved = await resolveOpenIncident(tx, deps, {
      integrationId: row.id,
      reason: "deleted",
      eventId: event.id,
      at: new Date(event.time),
      kind: "all",
    });
    return resolved ? "resolved" : "applied";
  }
  const snap = event.data.integration;
  await tx
    .update(integrations)
    .set({
      name: snap.name,
      type: snap.type,
      dependsOn: snap.dependsOn ?? [],
      configSeq: event.sequence,
      // Display only: incidents follow status_changed events, which have their own gate.
      ...(event.sequence > row.statusSeq ? { status: snap.status } : {}),
      updatedAt: sql`now()`,
    })
    .where(eq(integrations.id, row.id));
  const expiresAt = snap.credentialsExpireAt ? new Date(snap.credentialsExpireAt) : null;
  if ((expiresAt?.getTime() ?? null) !== (row.credentialsExpireAt?.getTime() ?? null)) {
    const [fresh] = await tx.select().from(integrations).where(eq(integrations.id, row.id));
    await scheduleCredentials(tx, deps, fresh ?? row, expiresAt, new Date(event.time));
  }
  // An incident opened before its integration's first config event was seen gets its name and type now.
  await tx
    .update(incidents)
    .set({ integrationName: snap.name, integrationType: snap.type })
    .where(
      and(
        eq(incidents.integrationId, row.id),
        isNull(incidents.resolvedAt),
        isNull(incidents.integrationName),
      ),
    );
  return "applied";
}
