import type { IncidentKind, ResolveReason } from "@hip/contracts";
import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IncidentRow, incidents } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { releaseChildren } from "../dependencies/dependencies.ts";
import { cancelReminders, engageFollowUp } from "../deliveries/plan.ts";
import { enqueueIncidentEvent } from "../outbox/enqueue.ts";
import { appendTimeline, toSnapshot } from "./snapshot.ts";

/**
 * Resolves the integration's unresolved incident of `kind` (default STATUS; "all" on deletion) with a reason, in
 * the consumer's transaction: reminders and escalation stop, engaged channels get the resolve notice,
 * `incident.resolved` is emitted. With `anomalyId`, only the incident of that traffic anomaly is resolved.
 */
export async function resolveOpenIncident(
  tx: Tx,
  deps: Pick<DomainDeps, "topics">,
  args: {
    integrationId: string;
    reason: ResolveReason;
    eventId: string;
    at: Date;
    /** The notice engaged channels get: `settled` when a flapping integration settled in ACTIVE. */
    notice?: "resolved" | "settled";
    kind?: IncidentKind | "all";
    anomalyId?: string;
  },
): Promise<IncidentRow | null> {
  const kind = args.kind ?? "STATUS";
  const filters: SQL[] = [];
  if (kind !== "all") filters.push(eq(incidents.kind, kind));
  if (args.anomalyId) filters.push(sql`${incidents.anomaly}->>'anomalyId' = ${args.anomalyId}`);
  const open = await tx
    .select()
    .from(incidents)
    .where(and(eq(incidents.integrationId, args.integrationId), isNull(incidents.resolvedAt), ...filters))
    .orderBy(incidents.id)
    .for("update");
  let last: IncidentRow | null = null;
  for (const row of open) last = (await resolveOne(tx, deps, row, args)) ?? last;
  return last;
}

async function resolveOne(
  tx: Tx,
  deps: Pick<DomainDeps, "topics">,
  open: IncidentRow,
  args: { reason: ResolveReason; eventId: string; at: Date; notice?: "resolved" | "settled" },
): Promise<IncidentRow | null> {
  // An event older than the opening (possible across topics) must not close it.
  const at = new Date(Math.max(args.at.getTime(), open.openedAt.getTime()));
  const [row] = await tx
    .update(incidents)
    .set({ state: "resolved", resolvedAt: at, resolveReason: args.reason, resolvedByEventId: args.eventId })
    .where(eq(incidents.id, open.id))
    .returning();
  if (!row) return null;
  await cancelReminders(tx, row.id, { all: true });
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "resolved",
    actor: "system",
    at,
    data: {
      reason: args.reason,
      causationId: args.eventId,
      durationMs: at.getTime() - row.openedAt.getTime(),
    },
  });
  await engageFollowUp(tx, row, args.notice ?? "resolved", at);
  // Dependents suppressed under it are re-checked after their grace (docs/decisions/0514).
  await releaseChildren(tx, row, at);
  await enqueueIncidentEvent(tx, {
    topic: deps.topics.incident,
    type: "incident.resolved",
    tenantId: row.tenantId,
    integrationId: row.integrationId,
    data: { incident: toSnapshot(row), causationId: args.eventId },
  });
  return row;
}
