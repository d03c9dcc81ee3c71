import { IntegrationStatus, IntegrationType, type StatsSummary } from "@hip/contracts";
import type pg from "pg";
import { percentile } from "../histogram.ts";
import { DAY_MS } from "../projection/rollups.ts";
import { maintenanceShare, round2, uptimeExcluding, uptimePct, windowCell } from "./window.ts";

const zeros = <K extends string>(keys: readonly K[]) =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/**
 * GET /stats for one tenant. Reads only small, pre-aggregated tables (tenant_counts, tenant_state, tenant roll-ups,
 * projection_state): its cost does not grow with the number of checks or integrations.
 */
export async function getSummary(args: {
  pool: pg.Pool;
  tenantId: string;
  now?: number;
}): Promise<Omit<StatsSummary, "traffic">> {
  const now = args.now ?? Date.now();
  // One round trip for the small tables, one window read for the 24 h performance.
  const [head, day, inMaintenance] = await Promise.all([
    args.pool.query<{
      counts: Array<{ status: string; type: string; n: number }> | null;
      last_synced_at: string | null;
      newest_event_at: string | null;
    }>(
      `SELECT
         (SELECT json_agg(json_build_object('status', status, 'type', type, 'n', n)) FROM stats.tenant_counts
          WHERE tenant_id = $1 AND n <> 0) AS counts,
         (SELECT last_synced_at FROM stats.tenant_state WHERE tenant_id = $1) AS last_synced_at,
         (SELECT newest_event_at FROM stats.projection_state WHERE id = 1) AS newest_event_at`,
      [args.tenantId],
    ),
    windowCell(args.pool, { tenantId: args.tenantId }, now - DAY_MS, now),
    maintenanceShare(args.pool, { tenantId: args.tenantId }, now - DAY_MS, now),
  ]);
  const row = head.rows[0];
  const byType = zeros(IntegrationType.options);
  const byStatus = zeros(IntegrationStatus.options);
  for (const r of row?.counts ?? []) {
    const t = IntegrationType.safeParse(r.type);
    const s = IntegrationStatus.safeParse(r.status);
    if (t.success) byType[t.data] += r.n;
    if (s.success) byStatus[s.data] += r.n;
  }
  const lastSynced = row?.last_synced_at ?? null;
  const newest = row?.newest_event_at ?? null;
  return {
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    active: byStatus.ACTIVE,
    inactive: byStatus.INACTIVE,
    error: byStatus.ERROR,
    testing: byStatus.TESTING,
    byType,
    byStatus,
    lastSyncedAt: lastSynced ? new Date(lastSynced).toISOString() : null,
    performance: {
      checks24h: day.count,
      successRate24h: uptimePct(day),
      successRate24hExcludingMaintenance: uptimeExcluding(day, inMaintenance),
      maintenanceChecks24h: inMaintenance.count,
      avgLatencyMs: day.count === 0 ? null : round2(day.latencySum / day.count),
      p95LatencyMs: percentile(day.hist, 0.95, day.latencyMax),
    },
    freshAsOf: newest ? new Date(newest).toISOString() : null,
  };
}
