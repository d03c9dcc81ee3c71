import type { IncidentError, IntegrationStatusChanged, StatusEvent } from "@hip/contracts";
import { and, eq, lt, sql } from "drizzle-orm";
import { type Tx, withSystem } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { changeColumns, handleFlapping } from "../flapping/flapping.ts";
import { applyCertificate, MAX_EXPIRY_DAYS } from "../notices/expiry.ts";
import { openIncident } from "../incidents/open-incident.ts";
import { openAsDependent } from "../dependencies/open-dependent.ts";
import { maintenanceAt, openInMaintenance } from "../maintenance/in-maintenance.ts";
import { resolveOpenIncident } from "../incidents/resolve-incident.ts";
import { applyTrafficAnomalyTx } from "./apply-traffic-anomaly.ts";
import { firstTimeApplied, lockIntegration } from "./integration-row.ts";

/**
 * Events per consumer transaction: enough to share the commit (WAL flush, NOTIFY) across many events, few enough
 * that the first incidents of a large fetched batch are committed, and paged, without waiting for the last.
 */
export const BATCH_TX_EVENTS = 25;

export type ApplyOutcome = "ignored" | "duplicate" | "stale" | "applied" | "opened" | "resolved";

/** A certificate close enough to expiry for a notice (cheap pre-check before any transaction). */
const expiringCert = (e: StatusEvent) =>
  e.type === "integration.probe_completed" &&
  e.data.tls !== null &&
  Date.parse(e.data.tls.validTo) - Date.parse(e.data.checkedAt) <= MAX_EXPIRY_DAYS * 86_400_000;

const relevant = (e: StatusEvent) =>
  e.type === "integration.status_changed" ||
  e.type === "integration.traffic_anomaly" ||
  (e.type === "integration.probe_completed" && !e.data.success && e.data.error !== null) ||
  expiringCert(e);

/** One event in its own transaction (tests, tools). */
export async function applyStatusEvent(
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: StatusEvent,
): Promise<ApplyOutcome> {
  if (!relevant(event)) return "ignored";
  return withSystem(deps.db, (tx) => applyStatusEventTx(tx, deps, event));
}

/**
 * Applies a fetched batch of one partition in order, in ONE transaction (one commit, one WAL flush, one NOTIFY
 * per channel for the whole batch). A failure rolls the batch back and the consumer retries it; every step is
 * idempotent (event ids, sequence gates, unique keys), so the retry re-applies exactly what was lost.
 */
export async function applyStatusBatch(
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">,
  events: StatusEvent[],
): Promise<ApplyOutcome[]> {
  if (!events.some(relevant)) return events.map(() => "ignored");
  const out: ApplyOutcome[] = [];
  for (let i = 0; i < events.length; i += BATCH_TX_EVENTS) {
    const chunk = events.slice(i, i + BATCH_TX_EVENTS);
    out.push(
      ...(await withSystem(deps.db, async (tx) => {
        const done: ApplyOutcome[] = [];
        for (const e of chunk) done.push(relevant(e) ? await applyStatusEventTx(tx, deps, e) : "ignored");
        return done;
      })),
    );
  }
  return out;
}

/**
 * Applies one integration.status.v1 event in the caller's transaction. Failed probe results only refresh the
 * projection's last error (gated by the probe worker's sequence, so replays are no-ops); status_changed opens or
 * resolves incidents, exactly once per event id and in sequence order per integration.
 */
export async function applyStatusEventTx(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: StatusEvent,
): Promise<ApplyOutcome> {
  if (event.type === "integration.probe_completed") {
    const noticed = expiringCert(event) && (await applyCertificate(tx, deps, event));
    const error = event.data.error;
    if (event.data.success || !error) return noticed ? "applied" : "ignored";
    await tx
      .insert(integrations)
      .values({ id: event.subject, tenantId: event.tenantid })
      .onConflictDoNothing();
    await tx
      .update(integrations)
      .set({
        lastError: { code: error.code, stage: error.stage, message: error.message, eventId: event.id },
        probeSeq: event.sequence,
        updatedAt: sql`now()`,
      })
      .where(and(eq(integrations.id, event.subject), lt(integrations.probeSeq, event.sequence)));
    return "applied";
  }
  // Traffic anomalies have their own handler (incidents of kind SILENT_FEED / ERROR_SPIKE / QUEUE_BACKLOG).
  if (event.type === "integration.traffic_anomaly") return applyTrafficAnomalyTx(tx, deps, event);
  return applyStatusChanged(tx, deps, event);
}

/** The error an incident records: the probe result that caused the change, else the status event's text. */
function incidentError(row: IntegrationRow, event: IntegrationStatusChanged): IncidentError | null {
  const last = row.lastError;
  if (last && (last.eventId === event.data.causationId || event.data.causationId === null)) {
    return { code: last.code, stage: last.stage, message: last.message };
  }
  if (last && !event.data.lastError) return { code: last.code, stage: last.stage, message: last.message };
  if (event.data.lastError) {
    return { code: last?.code ?? "PROBE_FAILED", stage: last?.stage ?? null, message: event.data.lastError };
  }
  return null;
}

async function applyStatusChanged(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: IntegrationStatusChanged,
): Promise<ApplyOutcome> {
  if (!(await firstTimeApplied(tx, event.id))) return "duplicate";
  const row = await lockIntegration(tx, event.subject, event.tenantid);
  if (row.tenantId !== event.tenantid) return "ignored";
  if (event.sequence <= row.statusSeq) return "stale";
  if (row.deletedSeq !== null && event.sequence < row.deletedSeq) return "stale";
  const to = event.data.to;
  const at = new Date(event.time);
  const flips = to === "ERROR" || to === "ACTIVE";
  const [updated] = await tx
    .update(integrations)
    .set({
      status: to,
      statusSeq: event.sequence,
      updatedAt: sql`now()`,
      ...(flips ? changeColumns(row, at, event.id) : {}),
    })
    .where(eq(integrations.id, row.id))
    .returning();
  if (flips) {
    const integration = updated ?? row;
    const error = incidentError(row, event);
    // Dependencies first: an outage under a failing parent is the parent's (docs/decisions/0514).
    if (to === "ERROR") {
      const dep = await openAsDependent(tx, deps, { integration, eventId: event.id, at, error });
      if (dep !== "independent") return dep ? "opened" : "applied";
    }
    // Maintenance next: inside a window an outage opens silently and flapping is not announced.
    if (to === "ERROR") {
      const held = await openInMaintenance(tx, deps, { integration, eventId: event.id, at, error });
      if (held !== "not_in_maintenance") return held ? "opened" : "applied";
    }
    const quiet = to === "ACTIVE" && (await maintenanceAt(tx, integration, at)) !== null;
    if (!quiet && (await handleFlapping(tx, deps, { integration, event, at, error }))) return "applied";
  }
  if (to === "ERROR") {
    const opened = await openIncident(tx, deps, {
      integration: updated ?? row,
      eventId: event.id,
      at,
      error: incidentError(row, event),
    });
    return opened ? "opened" : "applied";
  }
  if (to === "ACTIVE" || to === "INACTIVE") {
    const resolved = await resolveOpenIncident(tx, deps, {
      integrationId: row.id,
      reason: to === "ACTIVE" ? "recovered" : "inactive",
      eventId: event.id,
      at,
    });
    return resolved ? "resolved" : "applied";
  }
  return "applied";
}
