import type { FieldIssue } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { integrations } from "../../db/schema.ts";

/**
 * Serialises the tenant's dependency-graph writes (a transaction-scoped advisory lock): two concurrent PATCHes
 * (A -> B and B -> A) would each see the other's old edges and commit a cycle. Taken BEFORE any row lock, so a
 * graph writer never holds a row another graph writer waits for (no deadlock).
 */
export async function lockDependencyGraph(tx: Tx, tenantId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`config.depends_on:${tenantId}`}))`);
}

/**
 * Validates `dependsOn` for integration `selfId` (docs/decisions/0514) under the graph lock: every id exists in
 * the caller's tenant (another tenant's id is as unknown as a missing one: RLS hides it), none is the record
 * itself, and no parent reaches `selfId` through the stored edges (a cycle). Returns the ids without duplicates.
 * A failure is a 400 naming `dependsOn.N` (rule `exists` / `self`) or `dependsOn` (rule `cycle`).
 */
export async function checkDependsOn(
  tx: Tx,
  tenantId: string,
  selfId: string,
  dependsOn: string[],
): Promise<string[]> {
  const ids = [...new Set(dependsOn)];
  if (ids.length === 0) return [];
  await lockDependencyGraph(tx, tenantId);
  const issues: FieldIssue[] = [];
  const found = await tx
    .select({ id: integrations.id })
    .from(integrations)
    .where(and(eq(integrations.tenantId, tenantId), inArray(integrations.id, ids)));
  const known = new Set(found.map((r) => r.id));
  dependsOn.forEach((id, i) => {
    if (id === selfId) {
      issues.push({
        field: `dependsOn.${i}`,
        rule: "self",
        message: "an integration cannot depend on itself",
      });
    } else if (!known.has(id)) {
      issues.push({
        field: `dependsOn.${i}`,
        rule: "exists",
        message: "no integration with this id in the tenant",
      });
    }
  });
  if (issues.length > 0) throw DomainError.validation(issues);
  // Everything reachable from the new parents (UNION drops repeats, so the walk ends); reaching selfId = a cycle.
  const cycle = await tx.execute<{ id: string }>(sql`
    with recursive walk(id) as (
      select unnest(string_to_array(${ids.join(",")}, ',')::uuid[])
      union
      select unnest(i.depends_on) from config.integrations i join walk w on i.id = w.id
      where i.tenant_id = ${tenantId}
    )
    select id from walk where id = ${selfId} limit 1`);
  if (cycle.rows.length > 0) {
    throw DomainError.validation([
      {
        field: "dependsOn",
        rule: "cycle",
        message: "these dependencies would form a cycle back to this integration",
      },
    ]);
  }
  return ids;
}

/**
 * A deleted integration leaves its children's `dependsOn` (same transaction, under the graph lock). The children
 * get no version bump nor event: the alert service drops a deleted integration from the graph on
 * `integration.deleted` anyway, and the next change of a child carries the cleaned list.
 */
export async function dropFromDependents(tx: Tx, tenantId: string, id: string): Promise<void> {
  await tx.execute(sql`
    update config.integrations set depends_on = array_remove(depends_on, ${id}::uuid)
    where tenant_id = ${tenantId} and ${id}::uuid = any(depends_on)`);
}
