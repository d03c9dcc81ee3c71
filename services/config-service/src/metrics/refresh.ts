import type { EventBus } from "@hip/events";
import type { OutboxBacklog } from "@hip/outbox";
import type { ConfigMetrics } from "./metrics.ts";

export interface GaugeSources {
  metrics: ConfigMetrics;
  /** The outbox backlog (all replicas write the same table, so any replica reports the fleet's backlog). */
  backlog: () => Promise<OutboxBacklog>;
  lag?: { bus: Pick<EventBus, "groupLag">; groupId: string; topics: string[] } | undefined;
}

/** Scrape-time gauges: the outbox backlog from Postgres, the status consumer's lag from the Kafka admin API. */
export async function refreshGauges(s: GaugeSources): Promise<void> {
  const [backlog, lag] = await Promise.all([
    s.backlog(),
    s.lag ? s.lag.bus.groupLag(s.lag.groupId, s.lag.topics) : undefined,
  ]);
  s.metrics.outboxBacklog.set(backlog.rows);
  s.metrics.outboxOldestAge.set(backlog.oldestAgeSeconds);
  if (lag) for (const [topic, n] of Object.entries(lag)) s.metrics.consumerLag.set({ topic }, n);
}
