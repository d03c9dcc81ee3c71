import { checkIntegrationRules, type FieldIssue, type IntegrationRuleInput } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IntegrationRow, integrations, type NewIntegrationRow } from "../../db/schema.ts";

/** Locks the tenant's row for a write; another tenant's id is indistinguishable from a missing one (404). */
export async function lockIntegration(tx: Tx, tenantId: string, id: string): Promise<IntegrationRow> {
  const [row] = await tx
    .select()
    .from(integrations)
    .where(and(eq(integrations.id, id), eq(integrations.tenantId, tenantId)))
    .for("update");
  if (!row) throw DomainError.notFound("Integration");
  return row;
}

/** Updates the (locked) row and returns it as written. */
export async function updateRow(
  tx: Tx,
  id: string,
  set: Partial<NewIntegrationRow>,
): Promise<IntegrationRow> {
  const [row] = await tx.update(integrations).set(set).where(eq(integrations.id, id)).returning();
  if (!row) throw new Error("update returned no row");
  return row;
}

/** Optimistic concurrency: a stale If-Match version is a 412; no If-Match means last write wins. */
export function checkIfMatch(row: IntegrationRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version) {
    throw new DomainError(
      "PRECONDITION_FAILED",
      `Integration was modified: If-Match version ${expected} is stale (current ${row.version})`,
      { headers: { etag: `"${row.version}"` } },
    );
  }
}

export function assertRules(input: IntegrationRuleInput): void {
  const issues: FieldIssue[] = checkIntegrationRules(input);
  if (issues.length > 0) throw DomainError.validation(issues);
}

interface PgLikeError {
  code?: string;
  constraint?: string;
  cause?: unknown;
}

/** Maps the unique (tenant, lower(name)) violation to a 409 naming the field. */
export function mapUniqueName(err: unknown): never {
  let e: unknown = err;
  for (let depth = 0; depth < 3 && e && typeof e === "object"; depth++) {
    const pgErr = e as PgLikeError;
    if (pgErr.code === "23505" && pgErr.constraint === "integrations_tenant_name_uq") {
      throw new DomainError("CONFLICT", "An integration with this name already exists", {
        details: [{ field: "name", rule: "unique", message: "name must be unique within the tenant" }],
      });
    }
    e = pgErr.cause;
  }
  throw err;
}
