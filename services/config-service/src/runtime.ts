import { topicNames } from "@hip/contracts";
import { EventBus, type EventConsumer } from "@hip/events";
import { OutboxRelay, PgNotifications } from "@hip/outbox";
import type { ShutdownRegistry } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "pino";
import { buildApp } from "./app.ts";
import { createStatusConsumer } from "./consumers/status.consumer.ts";
import { createDb, createPool, type Db, withSystem } from "./db/client.ts";
import type { DomainDeps } from "./domain/context.ts";
import { TEST_DONE_CHANNEL } from "./domain/tests/request-test.ts";
import { OUTBOX_CHANNEL } from "./domain/outbox/enqueue.ts";
import { parseKeyRing } from "@hip/secrets";
import type { ConfigEnv } from "./env.ts";

export interface Runtime {
  app: FastifyInstance;
  deps: DomainDeps;
  db: Db;
  pool: pg.Pool;
  relay: OutboxRelay | null;
  consumer: EventConsumer<never> | null;
  bus: EventBus | null;
  /** Registers every resource with the shutdown registry, in the conventional order. */
  registerShutdown(registry: ShutdownRegistry): void;
  close(): Promise<void>;
}

/** Wires the process: pool, key ring, LISTEN connection, Kafka (topics, producer, relay, consumer), Redis, app. */
export async function createRuntime(
  env: ConfigEnv,
  logger: Logger,
  opts: { kafka?: boolean } = {},
): Promise<Runtime> {
  const useKafka = opts.kafka ?? true;
  const ring = parseKeyRing(env.CREDENTIALS_KEYS);
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const pool = createPool(env.DATABASE_URL, env.DATABASE_POOL_MAX);
  const db = createDb(pool);
  const deps: DomainDeps = { db, pool, ring, topics };
  // The relay and the status consumer get their own small pool: under HTTP load they must not queue behind
  // request transactions for a connection (that queueing is what commit-to-Kafka latency would measure).
  const systemPool = createPool(env.DATABASE_URL, 3);
  const systemDb = createDb(systemPool);
  const notifications = new PgNotifications(
    env.DATABASE_URL,
    [OUTBOX_CHANNEL, TEST_DONE_CHANNEL],
    logger,
    "config-service-listen",
  );
  await notifications.start();
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));

  let bus: EventBus | null = null;
  let relay: OutboxRelay | null = null;
  let consumer: EventConsumer<never> | null = null;
  if (useKafka) {
    bus = new EventBus({
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID ?? "config-service",
      logger,
    });
    await bus.ensureTopics([
      { topic: topics.config },
      { topic: topics.status },
      { topic: topics.deadLetter },
    ]);
    if (env.OUTBOX_RELAY_ENABLED) {
      relay = new OutboxRelay({
        table: "config.outbox",
        channel: OUTBOX_CHANNEL,
        lockKey: 7001,
        withSystem: (fn) => withSystem(systemDb, fn),
        producer: await bus.producer(),
        notifications,
        logger: logger.child({ component: "outbox-relay" }),
        pollMs: env.OUTBOX_POLL_MS,
        batchSize: env.OUTBOX_BATCH_SIZE,
        crashAfterPublish: env.OUTBOX_CRASH_AFTER_PUBLISH,
      });
      relay.start();
    }
    if (env.STATUS_CONSUMER_ENABLED) {
      const c = await createStatusConsumer({
        bus,
        db: systemDb,
        topics,
        prefix: env.KAFKA_TOPIC_PREFIX,
        logger,
      });
      // Not awaited: joining the group can wait for a dead member's session to expire (up to 30 s after a
      // kill -9), and the API must not wait for that. /ready reports the consumer meanwhile.
      c.start().catch((err: unknown) => logger.error({ err }, "status consumer failed to start"));
      consumer = c as unknown as EventConsumer<never>;
    }
  }
  const kafkaBus = bus;
  const app = await buildApp({
    env,
    logger,
    deps,
    notifications,
    redis,
    readiness: {
      postgres: () => pool.query("select 1"),
      redis: () => redis.ping(),
      ...(kafkaBus ? { kafka: () => kafkaBus.ping() } : {}),
      ...(consumer
        ? {
            statusConsumer: async () => {
              if (!consumer?.isHealthy()) throw new Error("status consumer is not running");
            },
          }
        : {}),
    },
  });

  const registerShutdown = (registry: ShutdownRegistry) => {
    registry.register("intake", "http", () => app.close());
    if (consumer) registry.register("intake", "status-consumer", () => consumer?.stop());
    if (relay) registry.register("drain", "outbox-relay", () => relay?.stop());
    registry.register("postgres", "listen", () => notifications.stop());
    registry.register("postgres", "pool", () => pool.end());
    registry.register("postgres", "system-pool", () => systemPool.end());
    registry.register("brokers", "redis", async () => {
      await redis.quit();
    });
    if (kafkaBus) registry.register("brokers", "kafka", () => kafkaBus.close());
  };

  const close = async () => {
    await app.close();
    await consumer?.stop().catch(() => undefined);
    await relay?.stop();
    await notifications.stop();
    await pool.end();
    await systemPool.end();
    await redis.quit().catch(() => undefined);
    await kafkaBus?.close();
  };

  return { app, deps, db, pool, relay, consumer, bus, registerShutdown, close };
}
