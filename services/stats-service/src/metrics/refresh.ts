import type { EventBus } from "@hip/events";
import type pg from "pg";
import type { StatsMetrics } from "./metrics.ts";

export interface GaugeSources {
  pool: pg.Pool;
  metrics: StatsMetrics;
  topTenants: number;
  /** Absent in tests that run without Kafka admin access. */
  lag?: { bus: EventBus; groupId: string; topics: string[] };
}

/**
 * Scrape-time gauges: read from Postgres and the Kafka admin API, so every replica reports the same fleet view
 * (queries are served by small tables: tenant_counts and projection_state).
 */
export async function refreshGauges(s: GaugeSources): Promise<void> {
  const { rows } = await s.pool.query<{ tenant: string; type: string; status: string; n: number }>(
    `WITH per_tenant AS (SELECT tenant_id, sum(n) AS total FROM stats.tenant_counts GROUP BY tenant_id),
          top AS (SELECT tenant_id FROM per_tenant WHERE total > 0 ORDER BY total DESC, tenant_id LIMIT $1)
     SELECT CASE WHEN top.tenant_id IS NULL THEN 'other' ELSE c.tenant_id END AS tenant, c.type, c.status,
            sum(c.n)::int AS n
     FROM stats.tenant_counts c LEFT JOIN top ON top.tenant_id = c.tenant_id
     GROUP BY 1, 2, 3`,
    [s.topTenants],
  );
  s.metrics.integrations.reset();
  for (const r of rows) s.metrics.integrations.set({ tenant: r.tenant, type: r.type, status: r.status }, r.n);

  const state = await s.pool.query<{ newest: Date | null }>(
    "SELECT newest_event_at AS newest FROM stats.projection_state WHERE id = 1",
  );
  const newest = state.rows[0]?.newest;
  if (newest) {
    s.metrics.newestEventTime.set(newest.getTime() / 1000);
    s.metrics.freshness.set(Math.max(0, (Date.now() - newest.getTime()) / 1000));
  }

  if (s.lag) {
    const lag = await s.lag.bus.groupLag(s.lag.groupId, s.lag.topics);
    for (const [topic, value] of Object.entries(lag)) s.metrics.consumerLag.set({ topic }, value);
  }
}
