import { isUuid, type ListIntegrationsQuery } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { findIntegrationFast, listIntegrationsFast } from "../../db/fast-read.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";

export async function getIntegration(
  deps: DomainDeps,
  tenantId: string,
  id: string,
): Promise<IntegrationRow> {
  const row = await findIntegrationFast(deps.pool, tenantId, id);
  if (!row) throw DomainError.notFound("Integration");
  return row;
}

const SORT_SQL = {
  name: "name",
  createdAt: "created_at",
  updatedAt: "updated_at",
  type: "type",
  status: "status",
} as const;

type SortKey = keyof typeof SORT_SQL;
const DATE_KEYS: ReadonlySet<SortKey> = new Set(["createdAt", "updatedAt"]);

/** Keyset cursor: the sort value and id of the last row, bound to the sort it was made for. */
export function encodeCursor(sort: SortKey, order: string, row: IntegrationRow): string {
  const value = row[sort];
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify([sort, order, v, row.id])).toString("base64url");
}

function decodeCursor(cursor: string, sort: SortKey, order: string): { value: string | Date; id: string } {
  const bad = () =>
    DomainError.validation([
      { field: "cursor", rule: "cursor", message: "cursor is invalid for this query" },
    ]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw bad();
  const [s, o, v, id] = parsed as unknown[];
  if (s !== sort || o !== order || typeof v !== "string" || typeof id !== "string") throw bad();
  if (!isUuid(id) || v.includes("\u0000")) throw bad();
  if (DATE_KEYS.has(sort)) {
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw bad();
    return { value: d, id };
  }
  return { value: v, id };
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** One page of a tenant's integrations: filters, text search, keyset pagination on (sort column, id). */
export async function listIntegrations(
  deps: DomainDeps,
  tenantId: string,
  query: ListIntegrationsQuery,
): Promise<{ rows: IntegrationRow[]; nextCursor: string | null }> {
  const sortKey = query.sort as SortKey;
  const rows = await listIntegrationsFast(deps.pool, {
    tenantId,
    type: query.type,
    status: query.status,
    provider: query.provider,
    // Substring search over name, provider and description through the trigram-indexed side table (migration
    // 0002): the function answers for this transaction's app.tenant_id only, and RLS still filters the rows.
    pattern: query.q ? likePattern(query.q) : undefined,
    sortColumn: SORT_SQL[sortKey],
    order: query.order,
    after: query.cursor ? decodeCursor(query.cursor, sortKey, query.order) : undefined,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encodeCursor(sortKey, query.order, last) : null;
  return { rows: page, nextCursor };
}

/** Every record of a tenant, in id order, read in pages so memory stays bounded per query. */
export async function* iterateIntegrations(
  deps: DomainDeps,
  tenantId: string,
  pageSize = 1000,
): AsyncGenerator<IntegrationRow[]> {
  let after: string | null = null;
  for (;;) {
    const cond: SQL[] = [eq(integrations.tenantId, tenantId)];
    if (after) cond.push(sql`${integrations.id} > ${after}`);
    const rows = await withTenant(deps.db, tenantId, (tx) =>
      tx
        .select()
        .from(integrations)
        .where(and(...cond))
        .orderBy(asc(integrations.id))
        .limit(pageSize),
    );
    if (rows.length > 0) yield rows;
    const last = rows.at(-1);
    if (rows.length < pageSize || !last) return;
    after = last.id;
  }
}
