import { type IntegrationTrafficReported, topicNames } from "@hip/contracts";
import { EventBus, kafkaTuningFromEnv } from "@hip/events";
import { healthCheck, type Logger, type ServiceRuntime, type ShutdownRegistry } from "@hip/service-kit";
import { Redis } from "ioredis";
import { buildApp } from "./app.ts";
import { createLiveConsumer } from "./consumers/live.consumer.ts";
import { createMaintenanceConsumer } from "./consumers/maintenance.consumer.ts";
import { createProjectionConsumer, projectionGroupId } from "./consumers/projection.consumer.ts";
import { createDatabase } from "./db/client.ts";
import { StreamHub } from "./domain/stream/hub.ts";
import type { StatsEnv } from "./env.ts";
import { startRetentionJob } from "./jobs/retention.job.ts";
import { StatsMetrics } from "./metrics/metrics.ts";
import { createTrafficRuntime, type TrafficRuntime } from "./traffic-runtime.ts";
import { createSnapshotConsumer } from "./snapshot/snapshot.consumer.ts";

export interface Runtime extends ServiceRuntime {
  traffic: TrafficRuntime;
}

export interface RuntimeOptions {
  /** Injectable clock for the traffic detector and ingest checks (tests). */
  clock?: () => number;
  /** After each committed batch of Kafka traffic reports (bench/traffic measures ingest lag here). */
  onTrafficStored?: (info: { stored: number; events: IntegrationTrafficReported[] }) => void;
}

/**
 * Wires the process: Postgres pool, Kafka bus, the projection and live consumers, the retention job and the
 * HTTP app. start() (after listening: /ready stays 503 until the projection consumer runs) starts the consumers
 * and the job.
 */
export async function createRuntime(
  env: StatsEnv,
  logger: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const database = createDatabase(env.DATABASE_URL, env.DATABASE_POOL_MAX);
  const bus = new EventBus({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    logger,
    tuning: kafkaTuningFromEnv(env),
  });
  const metrics = new StatsMetrics();
  const hub = new StreamHub(env.SSE_BUFFER_SIZE);
  // Rate-limit counters, shared by the replicas (a Redis outage lets requests pass; /ready reports it).
  // No offline queue and a short command timeout: during an outage a limiter command fails at once (and the
  // request passes) instead of waiting for a reconnect.
  const redis = new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    enableOfflineQueue: false,
    commandTimeout: 500,
  });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
  const retention = {
    raw: env.RETENTION_RAW_DAYS,
    minute: env.RETENTION_MINUTE_DAYS,
    hour: env.RETENTION_HOUR_DAYS,
  };
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);

  const projection = await createProjectionConsumer({
    bus,
    pool: database.pool,
    metrics,
    logger,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    retention,
    partitionsConcurrently: env.PROJECTION_PARTITIONS_CONCURRENCY,
  });
  const snapshot = await createSnapshotConsumer({
    bus,
    pool: database.pool,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  const live = await createLiveConsumer({ bus, hub, topicPrefix: env.KAFKA_TOPIC_PREFIX });
  const maintenance = await createMaintenanceConsumer({
    bus,
    pool: database.pool,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  const traffic = await createTrafficRuntime({
    env,
    logger,
    bus,
    database,
    registry: metrics.registry,
    ...options,
  });
  const app = await buildApp({
    env,
    logger,
    pool: database.pool,
    metrics,
    hub,
    traffic: {
      metrics: traffic.metrics,
      maxAgeMs: env.TRAFFIC_REPORTS_RETENTION_HOURS * 3_600_000,
      ...(options.clock ? { clock: options.clock } : {}),
    },
    redis,
    readiness: {
      redis: () => redis.ping(),
      kafka: () => bus.ping(),
      // The projection consumer's group state, partitions, last poll (/health/details); the live (SSE)
      // consumer is shown but does not gate readiness.
      projection: healthCheck({ projection: () => projection.status() }),
      traffic: traffic.readiness,
      // The status snapshot that @hip/status-client bootstraps from.
      statusSnapshot: healthCheck({ statusSnapshot: () => snapshot.status() }),
    },
    lag: {
      bus,
      groupId: projectionGroupId(env.KAFKA_TOPIC_PREFIX),
      topics: [topics.config, topics.status],
    },
  });

  let job: { stop(): Promise<void> } | null = null;
  return {
    app,
    traffic,
    async start() {
      await bus.ensureTopics([
        { topic: topics.config },
        { topic: topics.status },
        { topic: topics.incident },
        { topic: topics.deadLetter },
        { topic: topics.traffic },
      ]);
      await projection.start();
      await snapshot.start();
      await live.start();
      await maintenance.start();
      await traffic.start();
      job = startRetentionJob({
        pool: database.pool,
        retention,
        intervalMs: env.RETENTION_INTERVAL_MS,
        logger,
        metrics,
      });
    },
    registerShutdown(registry: ShutdownRegistry) {
      registry.register("intake", "http", () => app.close());
      registry.register("intake", "live-consumer", () => live.stop());
      registry.register("intake", "projection-consumer", () => projection.stop());
      registry.register("intake", "maintenance-consumer", () => maintenance.stop());
      registry.register("intake", "traffic-consumers", () => traffic.stopIntake());
      registry.register("drain", "traffic-detector-and-relay", () => traffic.drain());
      registry.register("intake", "status-snapshot-consumer", () => snapshot.stop());
      registry.register("drain", "retention-job", async () => job?.stop());
      registry.register("postgres", "pool", () => database.close());
      registry.register("brokers", "kafka", () => bus.close());
      registry.register("brokers", "redis", async () => {
        await redis.quit();
      });
    },
  };
}
