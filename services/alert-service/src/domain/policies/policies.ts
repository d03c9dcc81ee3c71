import { randomUUID } from "node:crypto";
import type { CreatePolicyBody, FieldIssue, PolicyView, UpdatePolicyBody } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, asc, eq, inArray } from "drizzle-orm";
import { type Db, type Tx, withTenant } from "../../db/client.ts";
import { channels, type PolicyRow, policies } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { isUniqueViolation } from "../pg-errors.ts";

export function toPolicyView(row: PolicyRow): PolicyView {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    integrations: row.integrations,
    channelIds: row.channelIds,
    notifyOnResolve: row.notifyOnResolve,
    renotifyMinutes: row.renotifyMinutes,
    escalation: row.escalation ?? null,
    flapping: row.flapping ?? null,
    expiryDays: row.expiryDays,
    dependencyGraceMinutes: row.dependencyGraceMinutes,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
  };
}

const nameTaken = () =>
  new DomainError("CONFLICT", "A policy with this name already exists", {
    details: [{ field: "name", rule: "unique", message: "name must be unique within the tenant" }],
  });

/** Every referenced channel must be one of the tenant's (another tenant's id reads as unknown). */
async function checkChannels(
  tx: Tx,
  tenantId: string,
  refs: { channelIds: string[]; escalation: { channelIds: string[] } | null },
): Promise<void> {
  const all = [...refs.channelIds, ...(refs.escalation?.channelIds ?? [])];
  if (all.length === 0) return;
  const found = await tx
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.tenantId, tenantId), inArray(channels.id, [...new Set(all)])));
  const known = new Set(found.map((r) => r.id));
  const issues: FieldIssue[] = [];
  refs.channelIds.forEach((id, i) => {
    if (!known.has(id))
      issues.push({ field: `channelIds.${i}`, rule: "exists", message: `channel ${id} not found` });
  });
  refs.escalation?.channelIds.forEach((id, i) => {
    if (!known.has(id)) {
      issues.push({
        field: `escalation.channelIds.${i}`,
        rule: "exists",
        message: `channel ${id} not found`,
      });
    }
  });
  if (issues.length > 0) throw DomainError.validation(issues);
}

async function findPolicy(tx: Tx, tenantId: string, id: string, lock = false): Promise<PolicyRow> {
  const q = tx
    .select()
    .from(policies)
    .where(and(eq(policies.id, id), eq(policies.tenantId, tenantId)));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw DomainError.notFound("Policy");
  return row;
}

export async function listPolicies(db: Db, tenantId: string): Promise<PolicyView[]> {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select()
      .from(policies)
      .where(eq(policies.tenantId, tenantId))
      .orderBy(asc(policies.name));
    return rows.map(toPolicyView);
  });
}

export async function getPolicy(db: Db, tenantId: string, id: string): Promise<PolicyView> {
  return withTenant(db, tenantId, async (tx) => toPolicyView(await findPolicy(tx, tenantId, id)));
}

export async function createPolicy(args: {
  deps: Pick<DomainDeps, "db">;
  actor: Actor;
  input: CreatePolicyBody;
}): Promise<PolicyView> {
  const { deps, actor, input } = args;
  const now = new Date();
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      await checkChannels(tx, actor.tenantId, input);
      const [row] = await tx
        .insert(policies)
        .values({
          id: randomUUID(),
          tenantId: actor.tenantId,
          name: input.name,
          enabled: input.enabled,
          integrations: input.integrations,
          channelIds: input.channelIds,
          notifyOnResolve: input.notifyOnResolve,
          renotifyMinutes: input.renotifyMinutes,
          escalation: input.escalation,
          flapping: input.flapping,
          expiryDays: input.expiryDays,
          dependencyGraceMinutes: input.dependencyGraceMinutes,
          createdBy: actor.sub,
          updatedBy: actor.sub,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error("policy insert returned nothing");
      const view = toPolicyView(row);
      await appendAudit(tx, actor, {
        entityType: "policy",
        entityId: row.id,
        action: "create",
        before: null,
        after: view,
      });
      return view;
    });
  } catch (err) {
    if (isUniqueViolation(err, "policies_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

/** Applies to incidents opened from now on; open incidents keep the reminders they were given. */
export async function updatePolicy(args: {
  deps: Pick<DomainDeps, "db">;
  actor: Actor;
  id: string;
  input: UpdatePolicyBody;
}): Promise<PolicyView> {
  const { deps, actor, input } = args;
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const row = await findPolicy(tx, actor.tenantId, args.id, true);
      const next = {
        name: input.name ?? row.name,
        enabled: input.enabled ?? row.enabled,
        integrations: input.integrations ?? row.integrations,
        channelIds: input.channelIds ?? row.channelIds,
        notifyOnResolve: input.notifyOnResolve ?? row.notifyOnResolve,
        renotifyMinutes: input.renotifyMinutes !== undefined ? input.renotifyMinutes : row.renotifyMinutes,
        escalation: input.escalation !== undefined ? input.escalation : (row.escalation ?? null),
        flapping: input.flapping !== undefined ? input.flapping : (row.flapping ?? null),
        expiryDays: input.expiryDays ?? row.expiryDays,
        dependencyGraceMinutes: input.dependencyGraceMinutes ?? row.dependencyGraceMinutes,
      };
      const before = toPolicyView(row);
      const same = (Object.keys(next) as Array<keyof typeof next>).every(
        (k) => JSON.stringify(next[k]) === JSON.stringify(before[k]),
      );
      if (same) return before;
      await checkChannels(tx, actor.tenantId, next);
      const [updated] = await tx
        .update(policies)
        .set({ ...next, version: row.version + 1, updatedBy: actor.sub, updatedAt: new Date() })
        .where(eq(policies.id, row.id))
        .returning();
      if (!updated) throw DomainError.notFound("Policy");
      const after = toPolicyView(updated);
      await appendAudit(tx, actor, {
        entityType: "policy",
        entityId: row.id,
        action: "update",
        before,
        after,
      });
      return after;
    });
  } catch (err) {
    if (isUniqueViolation(err, "policies_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

export async function deletePolicy(args: {
  deps: Pick<DomainDeps, "db">;
  actor: Actor;
  id: string;
}): Promise<PolicyView> {
  const { deps, actor } = args;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await findPolicy(tx, actor.tenantId, args.id, true);
    await tx.delete(policies).where(eq(policies.id, row.id));
    const view = toPolicyView(row);
    await appendAudit(tx, actor, {
      entityType: "policy",
      entityId: row.id,
      action: "delete",
      before: view,
      after: null,
    });
    return view;
  });
}
