import { randomBytes } from "node:crypto";
import { topicNames } from "@hip/contracts";
import type { EventBus } from "@hip/events";
import type { Logger } from "pino";
import type pg from "pg";
import { createProjectionConsumer } from "../../consumers/projection.consumer.ts";
import { READ_MODEL_TABLES } from "../../db/schema.ts";
import type { StatsMetrics } from "../../metrics/metrics.ts";
import type { RetentionDays } from "./apply-events.ts";

export interface RebuildResult {
  groupId: string;
  eventsApplied: number;
  duplicates: number;
  /** Probe results too old to apply (checked before 90 % of RETENTION_RAW_DAYS; see applyEvents). */
  stale: number;
  durationMs: number;
}

/**
 * Truncates the read model and re-applies every retained event from offset 0 with a fresh consumer group,
 * stopping once that group has no lag left (caught up to the high watermark). Safe while the service runs:
 * whatever the live projection applies meanwhile is deduplicated by event id and gated by sequence.
 */
export async function rebuildReadModel(o: {
  pool: pg.Pool;
  bus: EventBus;
  metrics: StatsMetrics;
  logger: Logger;
  topicPrefix: string;
  retention: RetentionDays;
  pollMs?: number;
  timeoutMs?: number;
}): Promise<RebuildResult> {
  const started = Date.now();
  const topics = topicNames(o.topicPrefix);
  const groupId = `${o.topicPrefix}stats-service.rebuild.${Date.now()}.${randomBytes(3).toString("hex")}`;
  await o.pool.query(`TRUNCATE ${READ_MODEL_TABLES.map((t) => `stats.${t}`).join(", ")}`);
  await o.pool.query("INSERT INTO stats.projection_state (id) VALUES (1) ON CONFLICT DO NOTHING");
  let eventsApplied = 0;
  let duplicates = 0;
  let stale = 0;
  const consumer = await createProjectionConsumer({
    bus: o.bus,
    pool: o.pool,
    metrics: o.metrics,
    logger: o.logger,
    topicPrefix: o.topicPrefix,
    retention: o.retention,
    groupId,
    onApplied: (i) => {
      eventsApplied += i.applied;
      duplicates += i.duplicates;
      stale += i.stale;
    },
  });
  await consumer.start();
  const deadline = Date.now() + (o.timeoutMs ?? 6 * 3_600_000);
  try {
    for (;;) {
      const lag = await o.bus.groupLag(groupId, [topics.config, topics.status]);
      const left = Object.values(lag).reduce((a, b) => a + b, 0);
      if (left === 0) break;
      if (Date.now() > deadline) throw new Error(`rebuild timed out with ${left} events left`);
      o.logger.debug({ left, eventsApplied }, "rebuild in progress");
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  } finally {
    await consumer.stop();
  }
  return { groupId, eventsApplied, duplicates, stale, durationMs: Date.now() - started };
}
