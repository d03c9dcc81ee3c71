import { type TopicNames, topicNames } from "@hip/contracts";
import { EventBus, kafkaTuningFromEnv } from "@hip/events";
import { OutboxRelay, outboxBacklog, PgNotifications, ProcessedEventsPurger } from "@hip/outbox";
import { parseKeyRing } from "@hip/secrets";
import { healthCheck, type Logger, type ServiceRuntime, type ShutdownRegistry } from "@hip/service-kit";
import { Redis } from "ioredis";
import { RedisCircuit } from "./rate-limit-store.ts";
import { buildApp } from "./app.ts";
import { createStatusConsumer, statusGroupId } from "./consumers/status.consumer.ts";
import { createDb, createPool, withSystem } from "./db/client.ts";
import type { DomainDeps } from "./domain/context.ts";
import { OUTBOX_CHANNEL } from "./domain/outbox/enqueue.ts";
import { TEST_DONE_CHANNEL } from "./domain/connection-tests/request-connection-test.ts";
import type { ConfigEnv } from "./env.ts";
import { ConfigMetrics } from "./metrics/metrics.ts";
import { refreshGauges } from "./metrics/refresh.ts";

export interface Runtime extends ServiceRuntime {
  deps: DomainDeps;
}

/** Postgres: the request pool, a small system pool, and the LISTEN connection. */
async function connectPostgres(env: ConfigEnv, logger: Logger) {
  const pool = createPool(env.DATABASE_URL, env.DATABASE_POOL_MAX);
  // The relay and the status consumer get their own small pool: under HTTP load they must not queue behind
  // request transactions for a connection (that queueing is what commit-to-Kafka latency would measure).
  const systemPool = createPool(env.DATABASE_URL, 3);
  const notifications = new PgNotifications(
    env.DATABASE_URL,
    [OUTBOX_CHANNEL, TEST_DONE_CHANNEL],
    logger,
    "config-service-listen",
  );
  await notifications.start();
  return { pool, db: createDb(pool), systemPool, systemDb: createDb(systemPool), notifications };
}

/** Kafka: the topics, the outbox relay (publishes) and the status consumer (applies probe results). */
async function connectKafka(
  env: ConfigEnv,
  logger: Logger,
  topics: TopicNames,
  pg: Awaited<ReturnType<typeof connectPostgres>>,
) {
  const bus = new EventBus({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    logger,
    tuning: kafkaTuningFromEnv(env),
  });
  await bus.ensureTopics([{ topic: topics.config }, { topic: topics.status }, { topic: topics.deadLetter }]);
  const relay = env.OUTBOX_RELAY_ENABLED
    ? new OutboxRelay({
        table: "config.outbox",
        channel: OUTBOX_CHANNEL,
        lockKey: 7001,
        withSystem: (fn) => withSystem(pg.systemDb, fn),
        producer: await bus.producer(),
        notifications: pg.notifications,
        logger: logger.child({ component: "outbox-relay" }),
        pollMs: env.OUTBOX_POLL_MS,
        batchSize: env.OUTBOX_BATCH_SIZE,
        sendTimeoutMs: env.OUTBOX_SEND_TIMEOUT_MS,
        leaseMs: env.OUTBOX_LEASE_MS,
        crashAfterPublish: env.OUTBOX_CRASH_AFTER_PUBLISH,
      })
    : null;
  const consumer = env.STATUS_CONSUMER_ENABLED
    ? await createStatusConsumer({
        bus,
        db: pg.systemDb,
        topics,
        prefix: env.KAFKA_TOPIC_PREFIX,
        logger,
        applyWindowMs: env.PROCESSED_EVENTS_RETENTION_HOURS * 3_600_000 * 0.9,
        partitionsConcurrently: env.STATUS_PARTITIONS_CONCURRENCY,
      })
    : null;
  return { bus, relay, consumer };
}

/**
 * Wires the process: Postgres, key ring, Redis, Kafka (unless `kafka: false`, for HTTP-only tests) and the app.
 * Nothing runs in the background until start().
 */
export async function createRuntime(
  env: ConfigEnv,
  logger: Logger,
  opts: { kafka?: boolean } = {},
): Promise<Runtime> {
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const pg = await connectPostgres(env, logger);
  const deps: DomainDeps = { db: pg.db, pool: pg.pool, ring: parseKeyRing(env.CREDENTIALS_KEYS), topics };
  // Rate limits only: no offline queue and a short command timeout, so no request waits on a reconnect.
  const redis = new Redis(env.REDIS_URL, {
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
    enableOfflineQueue: false,
    commandTimeout: env.RATE_LIMIT_REDIS_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on("error", (err) => logger.debug({ err: err.message }, "redis error"));
  const redisCircuit = new RedisCircuit(redis, logger, env.RATE_LIMIT_REDIS_RECHECK_MS);
  await redisCircuit.waitReady(3_000);
  const kafka = (opts.kafka ?? true) ? await connectKafka(env, logger, topics, pg) : null;
  const consumer = kafka?.consumer ?? null;
  // Every replica that applies probe results also purges old ids (concurrent purges skip each other's rows).
  const purger = consumer
    ? new ProcessedEventsPurger({
        table: "config.processed_events",
        withSystem: (fn) => withSystem(pg.systemDb, fn),
        retentionHours: env.PROCESSED_EVENTS_RETENTION_HOURS,
        logger: logger.child({ component: "processed-events-purge" }),
      })
    : null;
  const metrics = new ConfigMetrics();
  const lag =
    kafka && consumer
      ? { bus: kafka.bus, groupId: statusGroupId(env.KAFKA_TOPIC_PREFIX), topics: [topics.status] }
      : undefined;

  const app = await buildApp({
    env,
    logger,
    deps,
    notifications: pg.notifications,
    redis,
    redisCircuit,
    metrics: {
      metrics,
      refresh: () =>
        refreshGauges({
          metrics,
          backlog: () => outboxBacklog((fn) => withSystem(pg.systemDb, fn), "config.outbox"),
          lag,
        }),
    },
    readiness: {
      postgres: () => pg.pool.query("select 1"),
      // Redis only holds rate limits, which fail open: shown on /health/details, never a reason to be unready.
      rateLimit: healthCheck({
        redis: () => ({
          ok: true,
          circuit: redisCircuit.isOpen ? "open" : "closed",
          connection: redis.status,
        }),
      }),
      ...(kafka ? { kafka: () => kafka.bus.ping() } : {}),
      // Each consumer's group state, partitions, last poll; the outbox backlog (/health/details).
      ...(consumer ? { statusConsumer: healthCheck({ status: () => consumer.status() }) } : {}),
      ...(kafka?.relay
        ? { outbox: healthCheck({ relay: () => (kafka.relay as OutboxRelay).health() }) }
        : {}),
    },
  });

  return {
    app,
    deps,
    async start() {
      kafka?.relay?.start();
      // Not awaited: joining the group can wait for a dead member's session to expire (up to 30 s after a
      // kill -9), and the API must not wait for that. /ready reports the consumer meanwhile.
      consumer?.start().catch((err: unknown) => logger.error({ err }, "status consumer failed to start"));
      purger?.start();
    },
    registerShutdown(registry: ShutdownRegistry) {
      registry.register("intake", "http", () => app.close());
      if (consumer) registry.register("intake", "status-consumer", () => consumer.stop());
      if (purger) registry.register("drain", "processed-events-purge", () => purger.stop());
      const relay = kafka?.relay;
      if (relay) registry.register("drain", "outbox-relay", () => relay.stop());
      registry.register("postgres", "listen", () => pg.notifications.stop());
      registry.register("postgres", "pool", () => pg.pool.end());
      registry.register("postgres", "system-pool", () => pg.systemPool.end());
      registry.register("brokers", "redis", async () => {
        redisCircuit.stop();
        await redis.quit();
      });
      if (kafka) registry.register("brokers", "kafka", () => kafka.bus.close());
    },
  };
}
