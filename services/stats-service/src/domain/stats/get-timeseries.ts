import type { Timeseries, TimeseriesBucket, TimeseriesQuery } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import type pg from "pg";
import {
  DAY_MS,
  emptyCell,
  floorTo,
  HOUR_MS,
  MINUTE_MS,
  mergeCell,
  type RollupCell,
} from "../projection/rollups.ts";
import { percentile } from "../histogram.ts";
import { type RollupRow, round2, type Scope, scopeFilter, toCell } from "./window.ts";

const STEP: Record<TimeseriesBucket, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };
const MAX_POINTS = 1500;

/** GET /stats/timeseries: minute buckets from minute roll-ups, hour and day buckets from hour roll-ups (UTC). */
export async function getTimeseries(args: {
  pool: pg.Pool;
  tenantId: string;
  query: TimeseriesQuery;
  now?: number;
}): Promise<Timeseries> {
  const q = args.query;
  const step = STEP[q.bucket];
  const to = q.to ? Date.parse(q.to) : (args.now ?? Date.now());
  const from = q.from ? Date.parse(q.from) : to - DAY_MS;
  if (!(from < to)) {
    throw DomainError.validation([{ field: "from", rule: "before_to", message: "from must be before to" }]);
  }
  const first = floorTo(from, step);
  const points = Math.ceil((to - first) / step);
  if (points > MAX_POINTS) {
    throw DomainError.validation([
      {
        field: "bucket",
        rule: "max_points",
        message: `at most ${MAX_POINTS} buckets per request (asked ${points})`,
      },
    ]);
  }
  let scope: Scope = { tenantId: args.tenantId, type: q.type };
  let typeMismatch = false;
  if (q.integrationId) {
    // History stays readable after deletion; only the owner tenant may read it.
    const own = await args.pool.query<{ type: string }>(
      "SELECT type FROM stats.integrations WHERE integration_id = $1 AND tenant_id = $2 AND known",
      [q.integrationId, args.tenantId],
    );
    const found = own.rows[0];
    if (!found) throw DomainError.notFound("Integration");
    typeMismatch = q.type !== undefined && q.type !== found.type;
    scope = { integrationId: q.integrationId };
  }
  const cells = new Map<number, RollupCell>();
  if (!typeMismatch) {
    const f = scopeFilter(scope);
    const n = f.params.length;
    const grain = q.bucket === "minute" ? "minute" : "hour";
    const { rows } = await args.pool.query<RollupRow>(
      `SELECT bucket, count, successes, failures, latency_sum, latency_max, hist FROM stats.${f.table}rollup_${grain}
       WHERE ${f.where} AND bucket >= $${n + 1} AND bucket < $${n + 2}`,
      [...f.params, new Date(first).toISOString(), new Date(to).toISOString()],
    );
    for (const r of rows) {
      const key = floorTo(r.bucket.getTime(), step);
      const cell = cells.get(key) ?? emptyCell();
      mergeCell(cell, toCell(r));
      cells.set(key, cell);
    }
  }
  const out: Timeseries["points"] = [];
  for (let t = first; t < to; t += step) {
    const c = cells.get(t) ?? emptyCell();
    out.push({
      t: new Date(t).toISOString(),
      checks: c.count,
      successes: c.successes,
      failures: c.failures,
      avgLatencyMs: c.count === 0 ? null : round2(c.latencySum / c.count),
      p50LatencyMs: percentile(c.hist, 0.5, c.latencyMax),
      p95LatencyMs: percentile(c.hist, 0.95, c.latencyMax),
      p99LatencyMs: percentile(c.hist, 0.99, c.latencyMax),
    });
  }
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    bucket: q.bucket,
    type: q.type ?? null,
    integrationId: q.integrationId ?? null,
    points: out,
  };
}
