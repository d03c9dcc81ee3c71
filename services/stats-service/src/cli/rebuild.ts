import { EventBus } from "@hip/events";
import { createLogger } from "@hip/service-kit";
import { createDatabase } from "../db/client.ts";
import { migrateStats } from "../db/migrate.ts";
import { rebuildReadModel } from "../domain/projection/rebuild.ts";
import { loadEnv } from "../env.ts";
import { StatsMetrics } from "../metrics/metrics.ts";

/** `node src/cli/rebuild.ts`: truncate the stats read model and re-project every event from offset 0. */
const env = loadEnv();
const logger = createLogger({ name: "stats-rebuild", level: env.LOG_LEVEL });
await migrateStats(env.DATABASE_URL);
const database = createDatabase(env.DATABASE_URL, env.DATABASE_POOL_MAX);
const bus = new EventBus({ brokers: env.KAFKA_BROKERS, clientId: `${env.KAFKA_CLIENT_ID}-rebuild`, logger });
try {
  const result = await rebuildReadModel({
    pool: database.pool,
    bus,
    metrics: new StatsMetrics({ defaultMetrics: false }),
    logger,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    retention: {
      raw: env.RETENTION_RAW_DAYS,
      minute: env.RETENTION_MINUTE_DAYS,
      hour: env.RETENTION_HOUR_DAYS,
    },
  });
  logger.info(result, "rebuild complete");
} catch (err) {
  logger.error({ err }, "rebuild failed");
  process.exitCode = 1;
} finally {
  await bus.close();
  await database.close();
}
