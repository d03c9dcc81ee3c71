import type { IntegrationCurrentView, IntegrationStatus, IntegrationType } from "@hip/contracts";
import type pg from "pg";
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from "../projection/rollups.ts";
import { round2 } from "./window.ts";

interface ViewRow {
  integration_id: string;
  name: string;
  type: string;
  provider: string | null;
  status: string;
  status_since: Date | null;
  last_check_at: Date | null;
  last_check_success: boolean | null;
  last_latency_ms: number | null;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error: string | null;
}

const VIEW_COLUMNS = `integration_id, name, type, provider, status, status_since, last_check_at, last_check_success,
  last_latency_ms, last_success_at, last_error_at, last_error`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Live (known, not deleted) rows of one tenant among `ids`. Other tenants' and deleted ids are simply absent. */
export async function readViewRows(pool: pg.Pool, tenantId: string, ids: string[]): Promise<ViewRow[]> {
  const { rows } = await pool.query<ViewRow>(
    `SELECT ${VIEW_COLUMNS} FROM stats.integrations
     WHERE tenant_id = $1 AND integration_id = ANY($2::uuid[]) AND known AND deleted_at IS NULL
     ORDER BY integration_id`,
    [tenantId, ids],
  );
  return rows;
}

/** Check counts over the last 24 h per integration (whole hours + minute edges, see windowCell). */
async function counts24h(pool: pg.Pool, ids: string[], now: number): Promise<Map<string, [number, number]>> {
  const from = now - DAY_MS;
  const hourStart = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const hourEnd = floorTo(now, HOUR_MS);
  const iso2 = (ms: number) => new Date(ms).toISOString();
  const { rows } = await pool.query<{ integration_id: string; count: number; successes: number }>(
    `SELECT integration_id, sum(count)::int AS count, sum(successes)::int AS successes FROM (
       SELECT integration_id, count, successes FROM stats.rollup_hour
       WHERE integration_id = ANY($1::uuid[]) AND bucket >= $2 AND bucket < $3
       UNION ALL
       SELECT integration_id, count, successes FROM stats.rollup_minute
       WHERE integration_id = ANY($1::uuid[])
         AND ((bucket >= $4 AND bucket < $2) OR (bucket >= $3 AND bucket < $5))
     ) w GROUP BY integration_id`,
    [ids, iso2(hourStart), iso2(hourEnd), iso2(floorTo(from, MINUTE_MS)), iso2(now)],
  );
  return new Map(rows.map((r) => [r.integration_id, [r.count, r.successes]]));
}

export function toView(
  r: ViewRow,
  count: number,
  successes: number,
): Omit<IntegrationCurrentView, "trafficAnomalies"> {
  return {
    integrationId: r.integration_id,
    name: r.name,
    type: r.type as IntegrationType,
    provider: r.provider,
    status: r.status as IntegrationStatus,
    statusSince: iso(r.status_since),
    lastCheckAt: iso(r.last_check_at),
    lastCheckSuccess: r.last_check_success,
    lastSuccessAt: iso(r.last_success_at),
    lastErrorAt: iso(r.last_error_at),
    lastError: r.last_error,
    lastLatencyMs: r.last_latency_ms,
    uptime24h: count === 0 ? null : round2((successes / count) * 100),
    checks24h: count,
  };
}

/** GET /stats/integrations?ids= : one row per live integration of the caller's tenant, in the order asked. */
export async function listCurrentViews(args: {
  pool: pg.Pool;
  tenantId: string;
  ids: string[];
  now?: number;
}): Promise<Array<Omit<IntegrationCurrentView, "trafficAnomalies">>> {
  const ids = [...new Set(args.ids)];
  const rows = await readViewRows(args.pool, args.tenantId, ids);
  if (rows.length === 0) return [];
  const counts = await counts24h(
    args.pool,
    rows.map((r) => r.integration_id),
    args.now ?? Date.now(),
  );
  const byId = new Map(rows.map((r) => [r.integration_id, r]));
  return ids.flatMap((id) => {
    const r = byId.get(id);
    if (!r) return [];
    const [count, successes] = counts.get(id) ?? [0, 0];
    return [toView(r, count, successes)];
  });
}
