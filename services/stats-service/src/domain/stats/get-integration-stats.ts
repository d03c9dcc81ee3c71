import { DomainError } from "@hip/service-kit";
import type { IntegrationStats, RecentCheck } from "@hip/contracts";
import type pg from "pg";
import { DAY_MS } from "../projection/rollups.ts";
import { readViewRows, toView } from "./current-view.ts";
import { maintenanceShare, percentiles, uptimeExcluding, uptimePct, windowCell } from "./window.ts";

const RECENT_CHECKS = 20;

/** GET /stats/integrations/:id. Another tenant's, unknown and deleted integrations are all 404. */
export async function getIntegrationStats(args: {
  pool: pg.Pool;
  tenantId: string;
  integrationId: string;
  now?: number;
}): Promise<Omit<IntegrationStats, "traffic" | "trafficAnomalies">> {
  const now = args.now ?? Date.now();
  const [row] = await readViewRows(args.pool, args.tenantId, [args.integrationId]);
  if (!row) throw DomainError.notFound("Integration");
  const scope = { integrationId: args.integrationId };
  const m = { tenantId: args.tenantId, integrationId: args.integrationId };
  const [d1, d7, d30, m1, m7, m30, recent] = await Promise.all([
    windowCell(args.pool, scope, now - DAY_MS, now),
    windowCell(args.pool, scope, now - 7 * DAY_MS, now),
    windowCell(args.pool, scope, now - 30 * DAY_MS, now),
    maintenanceShare(args.pool, m, now - DAY_MS, now),
    maintenanceShare(args.pool, m, now - 7 * DAY_MS, now),
    maintenanceShare(args.pool, m, now - 30 * DAY_MS, now),
    args.pool.query<{
      event_id: string;
      checked_at: Date;
      success: boolean;
      latency_ms: number;
      trigger: "manual" | "scheduled";
      error_code: string | null;
      error_message: string | null;
    }>(
      `SELECT event_id, checked_at, success, latency_ms, trigger, error_code, error_message FROM stats.checks
       WHERE integration_id = $1 ORDER BY checked_at DESC, event_id LIMIT ${RECENT_CHECKS}`,
      [args.integrationId],
    ),
  ]);
  const recentChecks: RecentCheck[] = recent.rows.map((c) => ({
    eventId: c.event_id,
    checkedAt: c.checked_at.toISOString(),
    success: c.success,
    latencyMs: c.latency_ms,
    trigger: c.trigger,
    errorCode: c.error_code,
    errorMessage: c.error_message,
  }));
  const since = row.status_since ? row.status_since.getTime() : null;
  return {
    ...toView(row, d1.count, d1.successes),
    timeInCurrentStateSeconds: since === null ? null : Math.max(0, Math.floor((now - since) / 1000)),
    uptime: { h24: uptimePct(d1), d7: uptimePct(d7), d30: uptimePct(d30) },
    uptimeExcludingMaintenance: {
      h24: uptimeExcluding(d1, m1),
      d7: uptimeExcluding(d7, m7),
      d30: uptimeExcluding(d30, m30),
    },
    maintenanceChecks: { h24: m1.count, d7: m7.count, d30: m30.count },
    checks: { h24: d1.count, d7: d7.count, d30: d30.count },
    latency24h: percentiles(d1),
    latency7d: percentiles(d7),
    recentChecks,
  };
}
