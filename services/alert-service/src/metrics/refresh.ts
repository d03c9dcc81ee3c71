import type { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import { type Db, withSystem } from "../db/client.ts";
import type { AlertMetrics } from "./metrics.ts";

/** Scrape-time gauges: read from PostgreSQL (all tenants) and the BullMQ queue. */
export async function refreshGauges(metrics: AlertMetrics, db: Db, queue: Queue | null): Promise<void> {
  // One transaction client: its queries run one after the other (pg refuses overlapping queries on a client).
  const [counts, pending] = await withSystem(db, async (tx) => {
    const byState = await tx.execute<{ state: string; n: string }>(sql`
        select state, count(*)::text as n from alerts.incidents where resolved_at is null group by state`);
    const waiting = await tx.execute<{ n: string; age: string | null }>(sql`
        select count(*)::text as n, extract(epoch from now() - min(created_at))::text as age
        from alerts.deliveries where state in ('pending', 'sending')`);
    return [byState, waiting] as const;
  });
  metrics.openIncidents.reset();
  metrics.openIncidents.set({ state: "open" }, 0);
  metrics.openIncidents.set({ state: "acknowledged" }, 0);
  for (const r of counts.rows) metrics.openIncidents.set({ state: r.state }, Number(r.n));
  metrics.pendingDeliveries.set(Number(pending.rows[0]?.n ?? 0));
  metrics.oldestPendingAge.set(Number(pending.rows[0]?.age ?? 0));
  if (queue) {
    const jobs = await queue.getJobCounts("waiting", "delayed", "active", "prioritized");
    metrics.queueDepth.set({ state: "waiting" }, (jobs.waiting ?? 0) + (jobs.prioritized ?? 0));
    metrics.queueDepth.set({ state: "delayed" }, jobs.delayed ?? 0);
    metrics.queueDepth.set({ state: "active" }, jobs.active ?? 0);
  }
}
