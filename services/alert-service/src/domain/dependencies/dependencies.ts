import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import {
  type IncidentRow,
  type IntegrationRow,
  incidents,
  incidentTimers,
  integrations,
} from "../../db/schema.ts";
import { engageOnOpen, insertDeliveries, matchingPolicies } from "../deliveries/plan.ts";
import { appendTimeline } from "../incidents/snapshot.ts";

/**
 * Dependencies (docs/decisions/0514). Two stored due times per incident, fired by the timer loop like the
 * maintenance end, so a restart or a replay repeats nothing:
 * - `children` on a parent's incident, `hold` after it opened: ONE follow-up notice with the digest of the
 *   dependents' incidents that opened under it (none when no dependent failed).
 * - `dependency_check` on a dependent's suppressed incident: at the end of its own hold (it failed before any parent
 *   had an incident) or of the grace after its parent resolved. A parent with an open incident then: it stays
 *   suppressed, linked to that one; none: it is released and gets the `opened` page it was spared.
 */
export const DIGEST_TIMER = { kind: "children", policyId: "00000000-0000-0000-0000-000000000002" } as const;
export const CHECK_TIMER = {
  kind: "dependency_check",
  policyId: "00000000-0000-0000-0000-000000000003",
} as const;

/** At most this many children are named in a digest (the count is always exact). */
export const DIGEST_MAX = 100;

const DEFAULT_GRACE_MINUTES = 2;

/** The oldest unresolved STATUS incident of an integration `integration` depends on, if any. */
export async function openParentIncident(
  tx: Tx,
  integration: Pick<IntegrationRow, "tenantId" | "dependsOn">,
): Promise<IncidentRow | null> {
  const parents = integration.dependsOn ?? [];
  if (parents.length === 0) return null;
  const [row] = await tx
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.tenantId, integration.tenantId),
        inArray(incidents.integrationId, parents),
        isNull(incidents.resolvedAt),
        eq(incidents.kind, "STATUS"),
      ),
    )
    .orderBy(asc(incidents.openedAt), asc(incidents.id))
    .limit(1);
  return row ?? null;
}

async function setTimer(
  tx: Tx,
  incident: Pick<IncidentRow, "id" | "tenantId">,
  timer: { kind: string; policyId: string },
  dueAt: Date,
): Promise<void> {
  await tx
    .insert(incidentTimers)
    .values({
      incidentId: incident.id,
      kind: timer.kind,
      policyId: timer.policyId,
      tenantId: incident.tenantId,
      dueAt,
      channelIds: [],
      intervalMinutes: null,
      notifyOnResolve: true,
    })
    .onConflictDoUpdate({
      target: [incidentTimers.incidentId, incidentTimers.kind, incidentTimers.policyId],
      set: { dueAt },
    });
}

const timerWhere = (incidentId: string, timer: { kind: string; policyId: string }) =>
  and(
    eq(incidentTimers.incidentId, incidentId),
    eq(incidentTimers.kind, timer.kind),
    eq(incidentTimers.policyId, timer.policyId),
  );

/** Links a dependent's incident to its parent's (suppressed) and counts it on the parent. */
export async function linkToParent(tx: Tx, child: IncidentRow, parent: IncidentRow, at: Date): Promise<void> {
  await tx
    .update(incidents)
    .set({ parentIncidentId: parent.id, suppressed: true })
    .where(eq(incidents.id, child.id));
  await tx
    .update(incidents)
    .set({ childCount: sql`${incidents.childCount} + 1` })
    .where(eq(incidents.id, parent.id));
  await appendTimeline(tx, {
    tenantId: child.tenantId,
    incidentId: child.id,
    kind: "suppressed",
    actor: "system",
    at,
    data: { parentIncidentId: parent.id, parentIntegrationId: parent.integrationId },
  });
}

/** A dependent failed before any parent had an incident: it waits `hold` for one before its own page. */
export async function holdForParent(tx: Tx, child: IncidentRow, holdMs: number): Promise<void> {
  await setTimer(tx, child, CHECK_TIMER, new Date(child.openedAt.getTime() + holdMs));
}

/**
 * A parent's incident opened and was notified: dependents already waiting in their hold join it now, and when it
 * has dependents at all, its digest is due `hold` after the opening.
 */
export async function onParentOpened(tx: Tx, parent: IncidentRow, holdMs: number): Promise<void> {
  if ((await adoptWaiting(tx, parent, parent.openedAt)) === null) return;
  await setTimer(tx, parent, DIGEST_TIMER, new Date(parent.openedAt.getTime() + holdMs));
}

/**
 * Links the dependents' incidents waiting in their hold (no parent yet) to `parent`; null when the parent's
 * integration has no dependents. Also run when the digest fires: a dependent whose failure was applied in a
 * transaction concurrent with the parent's opening saw no parent and was not seen by it.
 */
async function adoptWaiting(tx: Tx, parent: IncidentRow, at: Date): Promise<number | null> {
  const dependents = await tx
    .select({ id: integrations.id })
    .from(integrations)
    .where(
      and(
        eq(integrations.tenantId, parent.tenantId),
        sql`${integrations.dependsOn} @> array[${parent.integrationId}::uuid]`,
        isNull(integrations.deletedSeq),
      ),
    );
  if (dependents.length === 0) return null;
  const waiting = await tx
    .select()
    .from(incidents)
    .where(
      and(
        inArray(
          incidents.integrationId,
          dependents.map((d) => d.id),
        ),
        isNull(incidents.resolvedAt),
        eq(incidents.suppressed, true),
        isNull(incidents.parentIncidentId),
      ),
    )
    .orderBy(asc(incidents.id))
    .for("update");
  for (const child of waiting) {
    await tx.delete(incidentTimers).where(timerWhere(child.id, CHECK_TIMER));
    await linkToParent(tx, child, parent, at);
  }
  return waiting.length;
}

/**
 * Fires a parent's digest (timer loop, timer row locked): one `children` notice to the channels the parent's
 * incident engaged, naming the dependents' incidents linked to it; nothing when none failed.
 */
export async function fireDigest(tx: Tx, parent: IncidentRow, dueAt: Date): Promise<number> {
  await tx.delete(incidentTimers).where(timerWhere(parent.id, DIGEST_TIMER));
  await adoptWaiting(tx, parent, dueAt);
  const kids = await tx
    .select({
      incidentId: incidents.id,
      integrationId: incidents.integrationId,
      integrationName: incidents.integrationName,
    })
    .from(incidents)
    .where(eq(incidents.parentIncidentId, parent.id))
    .orderBy(asc(incidents.integrationName), asc(incidents.id));
  if (kids.length === 0) return 0;
  const [row] = await tx
    .update(incidents)
    .set({ children: kids.slice(0, DIGEST_MAX), childCount: kids.length })
    .where(eq(incidents.id, parent.id))
    .returning();
  if (!row) return 0;
  const engaged = await tx.execute<{ channel_id: string; notify: boolean }>(sql`
    select channel_id, bool_or(notify_on_resolve) as notify
    from alerts.deliveries
    where incident_id = ${parent.id} and state <> 'cancelled' and transition = 'opened'
    group by channel_id`);
  const count = await insertDeliveries(
    tx,
    row,
    engaged.rows.map((r) => ({ channelId: r.channel_id, transition: "children", notifyOnResolve: r.notify })),
    dueAt,
  );
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "children_affected",
    actor: "system",
    at: dueAt,
    data: { children: kids.length, deliveries: count },
  });
  return count;
}

/**
 * A parent's incident resolved: each dependent's incident still suppressed under it is re-checked after the grace
 * (`dependencyGraceMinutes` of the policies matching the dependent, the longest; default 2). A dependent that
 * recovers meanwhile resolves, which deletes the timer: it is never notified.
 */
export async function releaseChildren(tx: Tx, parent: IncidentRow, at: Date): Promise<void> {
  if (parent.childCount === 0) return;
  const kids = await tx
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.parentIncidentId, parent.id),
        isNull(incidents.resolvedAt),
        eq(incidents.suppressed, true),
      ),
    );
  for (const child of kids) {
    const policies = await matchingPolicies(tx, {
      tenantId: child.tenantId,
      id: child.integrationId,
      type: child.integrationType,
    });
    const grace =
      policies.length === 0
        ? DEFAULT_GRACE_MINUTES
        : Math.max(...policies.map((p) => p.dependencyGraceMinutes ?? DEFAULT_GRACE_MINUTES));
    await setTimer(tx, child, CHECK_TIMER, new Date(at.getTime() + grace * 60_000));
  }
}

/**
 * Fires a dependent's check (timer loop, timer row and integration locked): still under a failing parent, it
 * stays suppressed (linked to that parent's incident); otherwise it is released and, if still open, notified once
 * (`opened`, with reminders from now), exactly as if it had just opened.
 */
export async function fireCheck(
  tx: Tx,
  child: IncidentRow,
  integration: IntegrationRow,
  dueAt: Date,
): Promise<"suppressed" | "notified" | "released" | "gone"> {
  // A digest fired earlier in the same pass may have adopted this dependent (and deleted its timer): then the
  // loaded rows are stale and there is nothing to do.
  const gone = await tx.delete(incidentTimers).where(timerWhere(child.id, CHECK_TIMER)).returning();
  if (gone.length === 0) return "gone";
  const [current] = await tx.select().from(incidents).where(eq(incidents.id, child.id));
  if (!current || current.resolvedAt !== null) return "gone";
  child = current;
  const parent = await openParentIncident(tx, integration);
  if (parent) {
    if (parent.id !== child.parentIncidentId) await linkToParent(tx, child, parent, dueAt);
    return "suppressed";
  }
  const [row] = await tx
    .update(incidents)
    .set({ suppressed: false })
    .where(eq(incidents.id, child.id))
    .returning();
  if (!row) return "released";
  const notify = row.state === "open";
  const engaged = notify ? await engageOnOpen(tx, row, dueAt) : { policies: [], deliveries: 0 };
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "dependency_released",
    actor: "system",
    at: dueAt,
    data: {
      parentIncidentId: row.parentIncidentId,
      policies: engaged.policies,
      deliveries: engaged.deliveries,
    },
  });
  return notify ? "notified" : "released";
}
