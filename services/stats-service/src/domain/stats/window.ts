import type pg from "pg";
import { percentile } from "../histogram.ts";
import { emptyCell, floorTo, HOUR_MS, MINUTE_MS, type RollupCell } from "../projection/rollups.ts";

export type Scope = { integrationId: string } | { tenantId: string; type?: string | undefined };

export interface RollupRow {
  bucket: Date;
  count: number;
  successes: number;
  failures: number;
  latency_sum: number;
  latency_max: number;
  hist: number[];
}

export function toCell(r: RollupRow): RollupCell {
  return {
    count: r.count,
    successes: r.successes,
    failures: r.failures,
    latencySum: r.latency_sum,
    latencyMax: r.latency_max,
    hist: r.hist,
  };
}

/** WHERE fragment and params for a scope; params start at $1. */
export function scopeFilter(scope: Scope): { table: "" | "tenant_"; where: string; params: unknown[] } {
  if ("integrationId" in scope) {
    return { table: "", where: "integration_id = $1", params: [scope.integrationId] };
  }
  if (scope.type)
    return { table: "tenant_", where: "tenant_id = $1 AND type = $2", params: [scope.tenantId, scope.type] };
  return { table: "tenant_", where: "tenant_id = $1", params: [scope.tenantId] };
}

/** Parses a Postgres int[] sent as text ("{1,0,3}"): much cheaper than the generic array parser. */
export function parseHist(text: string): number[] {
  return text.length <= 2 ? [] : text.slice(1, -1).split(",").map(Number);
}

/**
 * Merged roll-up over the window [from, now]. Counts, successes, failures and the latency sum are exact to the
 * minute: whole hours from the hour table plus the partial first hour from the minute table (the current hour's
 * row holds no checks after now), summed in SQL. The latency histogram (percentiles, max) is merged from hour rows
 * only, so it covers the window rounded out to whole hours (at most 1 h more). Cost depends on the window length,
 * never on how many checks there are.
 */
export async function windowCell(
  pool: pg.Pool,
  scope: Scope,
  fromMs: number,
  toMs: number,
): Promise<RollupCell> {
  const f = scopeFilter(scope);
  const n = f.params.length;
  const hourStart = Math.ceil(fromMs / HOUR_MS) * HOUR_MS;
  const iso = (ms: number) => new Date(ms).toISOString();
  const [sums, hists] = await Promise.all([
    pool.query<{ count: number; successes: number; failures: number; latency_sum: number }>(
      `SELECT coalesce(sum(count), 0)::int AS count, coalesce(sum(successes), 0)::int AS successes,
              coalesce(sum(failures), 0)::int AS failures, coalesce(sum(latency_sum), 0)::float8 AS latency_sum
       FROM (SELECT count, successes, failures, latency_sum FROM stats.${f.table}rollup_hour
             WHERE ${f.where} AND bucket >= $${n + 1} AND bucket < $${n + 3}
             UNION ALL
             SELECT count, successes, failures, latency_sum FROM stats.${f.table}rollup_minute
             WHERE ${f.where} AND bucket >= $${n + 2} AND bucket < $${n + 1} AND bucket < $${n + 3}) w`,
      [...f.params, iso(hourStart), iso(floorTo(fromMs, MINUTE_MS)), iso(toMs)],
    ),
    pool.query<{ latency_max: number; hist: string }>(
      `SELECT latency_max, hist::text AS hist FROM stats.${f.table}rollup_hour
       WHERE ${f.where} AND bucket >= $${n + 1} AND bucket < $${n + 2}`,
      [...f.params, iso(floorTo(fromMs, HOUR_MS)), iso(toMs)],
    ),
  ]);
  const s = sums.rows[0];
  const cell = emptyCell();
  for (const r of hists.rows) {
    const h = parseHist(r.hist);
    for (let i = 0; i < h.length; i++) cell.hist[i] = (cell.hist[i] ?? 0) + (h[i] ?? 0);
    cell.latencyMax = Math.max(cell.latencyMax, r.latency_max);
  }
  if (s) {
    cell.count = s.count;
    cell.successes = s.successes;
    cell.failures = s.failures;
    cell.latencySum = s.latency_sum;
  }
  return cell;
}

export function uptimePct(cell: RollupCell): number | null {
  return cell.count === 0 ? null : round2((cell.successes / cell.count) * 100);
}

export function percentiles(cell: RollupCell): {
  p50: number | null;
  p95: number | null;
  p99: number | null;
} {
  return {
    p50: percentile(cell.hist, 0.5, cell.latencyMax),
    p95: percentile(cell.hist, 0.95, cell.latencyMax),
    p99: percentile(cell.hist, 0.99, cell.latencyMax),
  };
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * The checks of a window that fall inside the tenant's maintenance intervals (`stats.maintenance_intervals`,
 * matched by scope: the tenant, the integration's type, its id), to the minute: a minute roll-up bucket counts
 * when its minute starts inside an interval. Overlapping intervals count a minute once. Driven from the
 * intervals, so its cost follows the maintenance time, not the window length.
 */
export async function maintenanceShare(
  pool: pg.Pool,
  scope: { tenantId: string; integrationId?: string },
  fromMs: number,
  toMs: number,
): Promise<{ count: number; successes: number }> {
  const iso = (ms: number) => new Date(ms).toISOString();
  const params: unknown[] = [scope.tenantId, iso(fromMs), iso(toMs)];
  if (scope.integrationId) params.push(scope.integrationId);
  const res = await pool.query<{ count: number; successes: number }>(
    `SELECT coalesce(sum(count), 0)::int AS count, coalesce(sum(successes), 0)::int AS successes
     FROM (SELECT DISTINCT r.integration_id, r.bucket, r.count, r.successes
           FROM stats.maintenance_intervals m
           JOIN stats.rollup_minute r
             ON r.tenant_id = m.tenant_id AND r.bucket >= greatest(m.starts_at, $2::timestamptz)
            AND r.bucket < least(m.ends_at, $3::timestamptz)
           JOIN stats.integrations i ON i.integration_id = r.integration_id
           WHERE m.tenant_id = $1 AND m.starts_at < $3 AND m.ends_at > $2
             ${scope.integrationId ? "AND r.integration_id = $4" : ""}
             AND (m.scope->>'scope' = 'tenant'
                  OR (m.scope->>'scope' = 'types' AND m.scope->'types' ? i.type)
                  OR (m.scope->>'scope' = 'integrations' AND m.scope->'ids' ? r.integration_id::text))) x`,
    params,
  );
  return res.rows[0] ?? { count: 0, successes: 0 };
}

/** Uptime with the maintenance share taken out of both the checks and the successes. */
export function uptimeExcluding(
  cell: RollupCell,
  share: { count: number; successes: number },
): number | null {
  const count = cell.count - share.count;
  return count <= 0 ? null : round2(((cell.successes - share.successes) / count) * 100);
}
