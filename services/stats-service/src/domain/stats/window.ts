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
