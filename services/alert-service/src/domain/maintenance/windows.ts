import { randomUUID } from "node:crypto";
import type {
  CreateMaintenanceBody,
  MaintenanceOccurrence,
  MaintenanceView,
  UpdateMaintenanceBody,
} from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, asc, eq, sql } from "drizzle-orm";
import { type Db, type Tx, withTenant } from "../../db/client.ts";
import { type MaintenanceRow, maintenanceWindows } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { isUniqueViolation } from "../pg-errors.ts";
import { announceChange, announceDelete } from "./occurrences.ts";
import { checkSpec, type Occurrence, occurrenceAt, upcoming, type WindowSpec } from "./schedule.ts";

export const specOf = (row: MaintenanceRow): WindowSpec => ({
  start: row.startLocal,
  timeZone: row.timeZone,
  durationMinutes: row.durationMinutes,
  rrule: row.rrule,
});

const occ = (o: Occurrence): MaintenanceOccurrence => ({
  startsAt: o.startsAt.toISOString(),
  endsAt: o.endsAt.toISOString(),
});

export function toMaintenanceView(row: MaintenanceRow, now: Date): MaintenanceView {
  const spec = specOf(row);
  const current = occurrenceAt(spec, now);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    start: row.startLocal,
    timeZone: row.timeZone,
    durationMinutes: row.durationMinutes,
    rrule: row.rrule,
    scope: row.scope,
    current: current ? occ(current) : null,
    upcoming: upcoming(spec, now, 6)
      .filter((o) => o.startsAt > now)
      .slice(0, 5)
      .map(occ),
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
  };
}

const nameTaken = () =>
  new DomainError("CONFLICT", "A maintenance window with this name already exists", {
    details: [{ field: "name", rule: "unique", message: "name must be unique within the tenant" }],
  });

function assertSpec(spec: WindowSpec): void {
  const issues = checkSpec(spec);
  if (issues.length > 0) throw DomainError.validation(issues);
}

/**
 * A window changed: incidents waiting for a maintenance end re-check it at the next timer pass (the fire moves
 * the due time when the incident is still covered), so a shortened or deleted window notifies on time.
 */
async function recheckMaintenanceTimers(tx: Tx, tenantId: string, now: Date): Promise<void> {
  await tx.execute(sql`
    update alerts.incident_timers set due_at = least(due_at, ${now})
    where tenant_id = ${tenantId} and kind = 'maintenance_end'`);
}

async function findWindow(tx: Tx, tenantId: string, id: string, lock = false): Promise<MaintenanceRow> {
  const q = tx
    .select()
    .from(maintenanceWindows)
    .where(and(eq(maintenanceWindows.id, id), eq(maintenanceWindows.tenantId, tenantId)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw DomainError.notFound("Maintenance window");
  return row;
}

export async function listMaintenance(db: Db, tenantId: string, now: Date): Promise<MaintenanceView[]> {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select()
      .from(maintenanceWindows)
      .where(eq(maintenanceWindows.tenantId, tenantId))
      .orderBy(asc(maintenanceWindows.name));
    return rows.map((r) => toMaintenanceView(r, now));
  });
}

export async function getMaintenance(
  db: Db,
  tenantId: string,
  id: string,
  now: Date,
): Promise<MaintenanceView> {
  return withTenant(db, tenantId, async (tx) => toMaintenanceView(await findWindow(tx, tenantId, id), now));
}

export async function createMaintenance(args: {
  deps: Pick<DomainDeps, "db" | "clock" | "topics">;
  actor: Actor;
  input: CreateMaintenanceBody;
}): Promise<MaintenanceView> {
  const { deps, actor, input } = args;
  assertSpec({
    start: input.start,
    timeZone: input.timeZone,
    durationMinutes: input.durationMinutes,
    rrule: input.rrule,
  });
  const now = deps.clock();
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(maintenanceWindows)
        .values({
          id: randomUUID(),
          tenantId: actor.tenantId,
          name: input.name,
          description: input.description,
          startLocal: input.start,
          timeZone: input.timeZone,
          durationMinutes: input.durationMinutes,
          rrule: input.rrule,
          scope: input.scope,
          createdBy: actor.sub,
          updatedBy: actor.sub,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error("maintenance insert returned nothing");
      await announceChange(tx, deps.topics, null, row, now);
      const view = toMaintenanceView(row, now);
      await appendAudit(tx, actor, {
        entityType: "maintenance",
        entityId: row.id,
        action: "create",
        before: null,
        after: view,
      });
      await recheckMaintenanceTimers(tx, actor.tenantId, now);
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err, "maintenance_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

export async function updateMaintenance(args: {
  deps: Pick<DomainDeps, "db" | "clock" | "topics">;
  actor: Actor;
  id: string;
  input: UpdateMaintenanceBody;
}): Promise<MaintenanceView> {
  const { deps, actor, input } = args;
  const now = deps.clock();
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const row = await findWindow(tx, actor.tenantId, args.id, true);
      const next = {
        name: input.name ?? row.name,
        description: input.description !== undefined ? input.description : row.description,
        startLocal: input.start ?? row.startLocal,
        timeZone: input.timeZone ?? row.timeZone,
        durationMinutes: input.durationMinutes ?? row.durationMinutes,
        rrule: input.rrule !== undefined ? input.rrule : row.rrule,
        scope: input.scope ?? row.scope,
      };
      const same = (Object.keys(next) as Array<keyof typeof next>).every(
        (k) => JSON.stringify(next[k]) === JSON.stringify(row[k]),
      );
      const before = toMaintenanceView(row, now);
      if (same) return before;
      assertSpec({
        start: next.startLocal,
        timeZone: next.timeZone,
        durationMinutes: next.durationMinutes,
        rrule: next.rrule,
      });
      const [updated] = await tx
        .update(maintenanceWindows)
        .set({ ...next, version: row.version + 1, updatedBy: actor.sub, updatedAt: now })
        .where(eq(maintenanceWindows.id, row.id))
        .returning();
      if (!updated) throw DomainError.notFound("Maintenance window");
      await announceChange(tx, deps.topics, row, updated, now);
      const after = toMaintenanceView(updated, now);
      await appendAudit(tx, actor, {
        entityType: "maintenance",
        entityId: row.id,
        action: "update",
        before,
        after,
      });
      await recheckMaintenanceTimers(tx, actor.tenantId, now);
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err, "maintenance_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

export async function deleteMaintenance(args: {
  deps: Pick<DomainDeps, "db" | "clock" | "topics">;
  actor: Actor;
  id: string;
}): Promise<MaintenanceView> {
  const { deps, actor } = args;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await findWindow(tx, actor.tenantId, args.id, true);
    const now = deps.clock();
    await announceDelete(tx, deps.topics, row, now);
    await tx.delete(maintenanceWindows).where(eq(maintenanceWindows.id, row.id));
    const view = toMaintenanceView(row, now);
    await appendAudit(tx, actor, {
      entityType: "maintenance",
      entityId: row.id,
      action: "delete",
      before: view,
      after: null,
    });
    await recheckMaintenanceTimers(tx, actor.tenantId, now);
    return view;
  });
}
