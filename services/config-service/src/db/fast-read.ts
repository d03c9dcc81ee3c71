import { createHash } from "node:crypto";
import { getTableColumns } from "drizzle-orm";
import type pg from "pg";
import { withTenantClient } from "./client.ts";
import { type IntegrationRow, integrations } from "./schema.ts";

/**
 * Hot-path reads without the query builder: the SQL is fixed, sent as named (server-side prepared) statements,
 * and rows are mapped with drizzle's own column codecs. Building the 37-column select with drizzle on every
 * request was the largest CPU cost of GET /configs/:id in the profile. Tenant scoping and RLS settings come from
 * withTenantClient(), defined next to withTenant() (decision 0022).
 */
const COLUMNS = Object.entries(getTableColumns(integrations)).map(([key, column]) => ({ key, column }));

export function mapIntegrationRow(raw: Record<string, unknown>): IntegrationRow {
  const out: Record<string, unknown> = {};
  for (const { key, column } of COLUMNS) {
    const value = raw[column.name];
    out[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return out as IntegrationRow;
}

export async function findIntegrationFast(
  pool: pg.Pool,
  tenantId: string,
  id: string,
): Promise<IntegrationRow | undefined> {
  const rows = await withTenantClient(pool, tenantId, async (client) => {
    const res = await client.query({
      name: "config_get_integration",
      text: "select * from config.integrations where id = $1 and tenant_id = $2",
      values: [id, tenantId],
    });
    return res.rows as Array<Record<string, unknown>>;
  });
  return rows[0] ? mapIntegrationRow(rows[0]) : undefined;
}

export interface ListSpec {
  tenantId: string;
  type?: string | undefined;
  status?: string | undefined;
  provider?: string | undefined;
  /** ILIKE pattern, already escaped. */
  pattern?: string | undefined;
  /** Whitelisted snake_case sort column. */
  sortColumn: "name" | "created_at" | "updated_at" | "type" | "status";
  order: "asc" | "desc";
  after?: { value: string | Date; id: string } | undefined;
  limit: number;
}

/**
 * One list page as fixed SQL (a few hundred distinct shapes at most, each a named prepared statement). Keyset
 * pagination on (sort column, id) so every page is an index range scan, whatever the depth.
 */
export async function listIntegrationsFast(pool: pg.Pool, spec: ListSpec): Promise<IntegrationRow[]> {
  const values: unknown[] = [spec.tenantId];
  const where = ["tenant_id = $1"];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (spec.type) where.push(`type = ${param(spec.type)}`);
  if (spec.status) where.push(`status = ${param(spec.status)}`);
  if (spec.provider) where.push(`provider = ${param(spec.provider)}`);
  if (spec.pattern) where.push(`id in (select config.search_integration_ids(${param(spec.pattern)}))`);
  const dir = spec.order === "asc" ? "asc" : "desc";
  if (spec.after) {
    const op = dir === "asc" ? ">" : "<";
    where.push(`(${spec.sortColumn}, id) ${op} (${param(spec.after.value)}, ${param(spec.after.id)}::uuid)`);
  }
  const limit = param(spec.limit);
  const text = `select * from config.integrations where ${where.join(" and ")} order by ${spec.sortColumn} ${dir}, id ${dir} limit ${limit}`;
  const name = `config_list_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
  const rows = await withTenantClient(pool, spec.tenantId, async (client) => {
    const res = await client.query({ name, text, values });
    return res.rows as Array<Record<string, unknown>>;
  });
  return rows.map(mapIntegrationRow);
}
