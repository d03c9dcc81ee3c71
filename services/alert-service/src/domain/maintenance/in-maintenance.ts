import type { IncidentError, MaintenanceMark, MaintenanceScope } from "@hip/contracts";
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import {
  type IncidentRow,
  type IntegrationRow,
  incidents,
  incidentTimers,
  type MaintenanceRow,
  maintenanceWindows,
} from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { engageOnOpen, memo } from "../deliveries/plan.ts";
import { openIncident } from "../incidents/open-incident.ts";
import { appendTimeline } from "../incidents/snapshot.ts";
import { occurrenceAt } from "./schedule.ts";
import { specOf } from "./windows.ts";

/** The timer that ends an incident's maintenance silence (one per incident, under this placeholder policy id). */
export const MAINTENANCE_TIMER = {
  kind: "maintenance_end",
  policyId: "00000000-0000-0000-0000-000000000001",
} as const;

type Deps = Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">;

export function scopeCovers(
  scope: MaintenanceScope,
  integration: { id: string; type: string | null },
): boolean {
  if (scope.scope === "tenant") return true;
  if (scope.scope === "integrations") return scope.ids.includes(integration.id);
  return integration.type !== null && (scope.types as string[]).includes(integration.type);
}

/** The tenant's windows, read once per transaction. */
function windowsOf(tx: Tx, tenantId: string): Promise<MaintenanceRow[]> {
  return memo(tx, `maintenance:${tenantId}`, () =>
    tx.select().from(maintenanceWindows).where(eq(maintenanceWindows.tenantId, tenantId)),
  );
}

/**
 * The maintenance covering the integration at `at`, if any: the covering window, and the end of the silence
 * (back-to-back or overlapping windows chain into one, up to 20 links).
 */
export async function maintenanceAt(
  tx: Tx,
  integration: Pick<IntegrationRow, "id" | "tenantId" | "type">,
  at: Date,
): Promise<Omit<MaintenanceMark, "endedAt"> | null> {
  const windows = (await windowsOf(tx, integration.tenantId)).filter((w) =>
    scopeCovers(w.scope, integration),
  );
  if (windows.length === 0) return null;
  let first: { windowId: string; windowName: string } | null = null;
  let end = at;
  for (let i = 0; i < 20; i++) {
    let next: Date | null = null;
    for (const w of windows) {
      const o = occurrenceAt(specOf(w), end);
      if (o && (!next || o.endsAt > next)) {
        next = o.endsAt;
        first ??= { windowId: w.id, windowName: w.name };
      }
    }
    if (!next) break;
    end = next;
  }
  return first ? { ...first, endsAt: end.toISOString() } : null;
}

/** Due time of the incident's maintenance end (set or moved). */
async function scheduleEnd(tx: Tx, incident: IncidentRow, endsAt: Date): Promise<void> {
  await tx
    .insert(incidentTimers)
    .values({
      incidentId: incident.id,
      kind: MAINTENANCE_TIMER.kind,
      policyId: MAINTENANCE_TIMER.policyId,
      tenantId: incident.tenantId,
      dueAt: endsAt,
      channelIds: [],
      intervalMinutes: null,
      notifyOnResolve: true,
    })
    .onConflictDoUpdate({
      target: [incidentTimers.incidentId, incidentTimers.kind, incidentTimers.policyId],
      set: { dueAt: endsAt },
    });
}

/**
 * An integration turning ERROR inside a maintenance window: the incident opens silently, marked with the window,
 * and its maintenance end is a stored due time. Returns null when not in maintenance (the caller goes on as usual).
 */
export async function openInMaintenance(
  tx: Tx,
  deps: Deps,
  args: { integration: IntegrationRow; eventId: string; at: Date; error: IncidentError | null },
): Promise<IncidentRow | "not_in_maintenance" | null> {
  const m = await maintenanceAt(tx, args.integration, args.at);
  if (!m) return "not_in_maintenance";
  const incident = await openIncident(tx, deps, {
    ...args,
    silent: `maintenance window "${m.windowName}" until ${m.endsAt}`,
    maintenance: { ...m, endedAt: null },
  });
  if (incident) await scheduleEnd(tx, incident, new Date(m.endsAt));
  return incident;
}

/**
 * Fires a due maintenance end (timer loop transaction, timer row locked). Still covered (a window was extended
 * or another follows): the due time moves. Otherwise the silence ends: an incident still open gets its one
 * notice now (the `opened` notice it was spared, with reminders counted from now); an acknowledged one only
 * records the end. An incident that resolved inside the window has no timer any more (resolve deletes it).
 */
export async function endMaintenance(
  tx: Tx,
  incident: IncidentRow,
  integration: IntegrationRow,
  dueAt: Date,
): Promise<"moved" | "notified" | "ended"> {
  const where = and(
    eq(incidentTimers.incidentId, incident.id),
    eq(incidentTimers.kind, MAINTENANCE_TIMER.kind),
    eq(incidentTimers.policyId, MAINTENANCE_TIMER.policyId),
  );
  const still = await maintenanceAt(tx, integration, dueAt);
  if (still && new Date(still.endsAt) > dueAt) {
    await tx
      .update(incidentTimers)
      .set({ dueAt: new Date(still.endsAt) })
      .where(where);
    return "moved";
  }
  await tx.delete(incidentTimers).where(where);
  const mark = incident.maintenance;
  const [row] = await tx
    .update(incidents)
    .set({ maintenance: mark ? { ...mark, endedAt: dueAt.toISOString() } : null })
    .where(eq(incidents.id, incident.id))
    .returning();
  if (!row) return "ended";
  const notify = row.state === "open";
  const engaged = notify ? await engageOnOpen(tx, row, dueAt) : { policies: [], deliveries: 0 };
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "maintenance_ended",
    actor: "system",
    at: dueAt,
    data: {
      windowId: mark?.windowId ?? null,
      stillFailing: true,
      policies: engaged.policies,
      deliveries: engaged.deliveries,
    },
  });
  return notify ? "notified" : "ended";
}
