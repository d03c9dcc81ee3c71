import {
  DEFAULT_FLAPPING,
  type FlappingRule,
  type FlappingState,
  type IncidentError,
  type IntegrationStatusChanged,
} from "@hip/contracts";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IncidentRow, type IntegrationRow, incidents, incidentTimers } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import {
  cancelReminders,
  engageFollowUp,
  engagePolicies,
  matchingPolicies,
  SETTLE_TIMER,
} from "../deliveries/plan.ts";
import { openIncident } from "../incidents/open-incident.ts";
import { resolveOpenIncident } from "../incidents/resolve-incident.ts";
import { appendTimeline, toSnapshot } from "../incidents/snapshot.ts";
import { enqueueIncidentEvent } from "../outbox/enqueue.ts";

/**
 * Flapping (docs/decisions/0511). Decided only from the status changes' event times, kept on the projection row,
 * and from the incident's stored state; the one timer (settle) is a due time in `incident_timers`, fired by any
 * replica. A replay re-applies nothing (event ids and sequence gates run before this), a restart repeats nothing.
 */

/** The longest window any rule may use; older change times are dropped. */
const HISTORY_SPAN_MS = 1440 * 60_000;
const HISTORY_MAX = 200;

type Deps = Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">;

/** The change history after one more ERROR/ACTIVE change at `at` (epoch ms). */
export function recordChange(history: readonly number[], at: number): number[] {
  return [...history.filter((t) => t > at - HISTORY_SPAN_MS), at].slice(-HISTORY_MAX);
}

/** How many changes fall within the `windowMinutes` ending at `at`. */
export function changesWithin(history: readonly number[], at: number, windowMinutes: number): number {
  const from = at - windowMinutes * 60_000;
  return history.filter((t) => t > from && t <= at).length;
}

/** The first rule that calls this history flapping ("changed more than `changes` times in `windowMinutes`"). */
export function flappingRule(
  rules: readonly FlappingRule[],
  history: readonly number[],
  at: number,
): FlappingRule | null {
  return rules.find((r) => changesWithin(history, at, r.windowMinutes) > r.changes) ?? null;
}

/**
 * The rules of the enabled policies matching the integration (a policy with `flapping: null` opts out). With no
 * matching policy nobody is notified anyway; the default rule still marks the incident for the dashboard.
 */
export async function flappingRules(tx: Tx, integration: IntegrationRow): Promise<FlappingRule[]> {
  const matched = await matchingPolicies(tx, integration);
  if (matched.length === 0) return [DEFAULT_FLAPPING];
  return matched.flatMap((p) => (p.flapping ? [p.flapping] : []));
}

const isFlapping = (i: IncidentRow | undefined): i is IncidentRow & { flapping: FlappingState } =>
  Boolean(i?.flapping && i.flapping.settledAt === null);

async function scheduleSettle(tx: Tx, incident: IncidentRow, at: Date, stableMinutes: number): Promise<void> {
  const dueAt = new Date(at.getTime() + stableMinutes * 60_000);
  await tx
    .insert(incidentTimers)
    .values({
      incidentId: incident.id,
      kind: SETTLE_TIMER.kind,
      policyId: SETTLE_TIMER.policyId,
      tenantId: incident.tenantId,
      dueAt,
      channelIds: [],
      intervalMinutes: stableMinutes,
      notifyOnResolve: true,
    })
    .onConflictDoUpdate({
      target: [incidentTimers.incidentId, incidentTimers.kind, incidentTimers.policyId],
      set: { dueAt, intervalMinutes: stableMinutes },
    });
}

/**
 * Called for every applied status change to ERROR or ACTIVE, after the projection row recorded it. Returns true
 * when flapping handled the change (the caller then does not open or resolve as usual):
 * - the open incident is flapping: the change is recorded silently and the settle time moves;
 * - the change makes the integration flapping: the incident (opened silently on ERROR, kept open on ACTIVE) is
 *   marked, reminders stop, one `flapping` notice goes to the matching policies' channels.
 */
export async function handleFlapping(
  tx: Tx,
  deps: Deps,
  args: {
    integration: IntegrationRow;
    event: IntegrationStatusChanged;
    at: Date;
    error: IncidentError | null;
  },
): Promise<boolean> {
  const { integration, event, at } = args;
  const to = event.data.to;
  const [open] = await tx
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.integrationId, integration.id),
        eq(incidents.kind, "STATUS"),
        isNull(incidents.resolvedAt),
      ),
    )
    .for("update");
  // A dependent suppressed under its parent's incident stays quiet, flapping included (docs/decisions/0514).
  if (open?.suppressed) return false;
  if (isFlapping(open)) {
    const flapping: FlappingState = { ...open.flapping, changes: open.flapping.changes + 1 };
    await tx.update(incidents).set({ flapping }).where(eq(incidents.id, open.id));
    await appendTimeline(tx, {
      tenantId: open.tenantId,
      incidentId: open.id,
      kind: "flap_status",
      actor: "system",
      at,
      data: { to, causationId: event.id },
    });
    await scheduleSettle(tx, open, at, flapping.stableMinutes);
    return true;
  }
  const rules = await flappingRules(tx, integration);
  const rule = flappingRule(rules, integration.statusChanges, at.getTime());
  if (!rule) return false;
  let incident: IncidentRow | null = open ?? null;
  if (!incident) {
    // Turning ACTIVE with nothing open needs nothing; turning ERROR opens silently, the flapping notice says it.
    if (to !== "ERROR") return false;
    incident = await openIncident(tx, deps, {
      integration,
      eventId: event.id,
      at,
      error: args.error,
      silent: "flapping",
    });
    if (!incident) return true;
  }
  const stableMinutes = Math.max(...rules.map((r) => r.stableMinutes));
  const flapping: FlappingState = {
    since: at.toISOString(),
    changes: changesWithin(integration.statusChanges, at.getTime(), rule.windowMinutes),
    settledAt: null,
    settledStatus: null,
    stableMinutes,
  };
  const [row] = await tx.update(incidents).set({ flapping }).where(eq(incidents.id, incident.id)).returning();
  if (!row) return true;
  await cancelReminders(tx, row.id, { all: false });
  const stale = deps.clock().getTime() - at.getTime() > deps.notifyMaxEventAgeMs;
  const engaged = stale ? { deliveries: 0 } : await engagePolicies(tx, row, "flapping", at);
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "flapping",
    actor: "system",
    at,
    data: {
      ...rule,
      stableMinutes,
      changes: flapping.changes,
      causationId: event.id,
      deliveries: engaged.deliveries,
    },
  });
  await scheduleSettle(tx, row, at, stableMinutes);
  await enqueueIncidentEvent(tx, {
    topic: deps.topics.incident,
    type: "incident.flapping",
    tenantId: row.tenantId,
    integrationId: row.integrationId,
    data: { incident: toSnapshot(row), causationId: event.id },
  });
  return true;
}

/**
 * Fires a due settle timer (in the timer loop's transaction, the timer row locked). If the status changed after
 * the timer was set, it moves to the new due time. Otherwise the incident is settled at the due time: engaged
 * channels get one `settled` notice, and a status of ACTIVE resolves the incident with it (no second notice).
 */
export async function settleFlapping(
  tx: Tx,
  deps: Deps,
  args: { incident: IncidentRow; integration: IntegrationRow; dueAt: Date; stableMinutes: number },
): Promise<"settled" | "moved" | "dropped"> {
  const { incident, integration } = args;
  const where = and(
    eq(incidentTimers.incidentId, incident.id),
    eq(incidentTimers.kind, SETTLE_TIMER.kind),
    eq(incidentTimers.policyId, SETTLE_TIMER.policyId),
  );
  const status = integration.status;
  if (!isFlapping(incident) || (status !== "ACTIVE" && status !== "ERROR")) {
    await tx.delete(incidentTimers).where(where);
    return "dropped";
  }
  const stableUntil = (integration.lastChangeAt?.getTime() ?? 0) + args.stableMinutes * 60_000;
  if (stableUntil > args.dueAt.getTime()) {
    await tx
      .update(incidentTimers)
      .set({ dueAt: new Date(stableUntil) })
      .where(where);
    return "moved";
  }
  await tx.delete(incidentTimers).where(where);
  const at = args.dueAt;
  const flapping: FlappingState = {
    ...incident.flapping,
    settledAt: at.toISOString(),
    settledStatus: status,
  };
  const [row] = await tx.update(incidents).set({ flapping }).where(eq(incidents.id, incident.id)).returning();
  if (!row) return "dropped";
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "settled",
    actor: "system",
    at,
    data: { status, stableMinutes: args.stableMinutes },
  });
  let settled = row;
  if (status === "ACTIVE") {
    const resolved = await resolveOpenIncident(tx, deps, {
      integrationId: row.integrationId,
      reason: "recovered",
      eventId: integration.lastChangeEventId ?? row.openedByEventId,
      at,
      notice: "settled",
    });
    if (resolved) settled = resolved;
  } else {
    await engageFollowUp(tx, row, "settled", at);
  }
  await enqueueIncidentEvent(tx, {
    topic: deps.topics.incident,
    type: "incident.settled",
    tenantId: settled.tenantId,
    integrationId: settled.integrationId,
    data: { incident: toSnapshot(settled), status },
  });
  return "settled";
}

/** Records an ERROR/ACTIVE change on the projection row (the history flapping is decided from). */
export function changeColumns(row: IntegrationRow, at: Date, eventId: string) {
  return {
    statusChanges: recordChange(row.statusChanges, at.getTime()),
    lastChangeAt: at,
    lastChangeEventId: eventId,
    updatedAt: sql`now()`,
  };
}
