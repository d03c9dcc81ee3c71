import { ALERT_QUEUE, topicNames } from "@hip/contracts";
import { EventBus, type EventConsumer } from "@hip/events";
import { OutboxRelay, PgNotifications } from "@hip/outbox";
import { parseKeyRing } from "@hip/secrets";
import type { ShutdownRegistry } from "@hip/service-kit";
import { Queue, type Worker } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type pg from "pg";
import type { Logger } from "pino";
import { buildApp } from "./app.ts";
import { closeEmailTransports } from "./channels/senders/email.ts";
import { createConfigConsumer } from "./consumers/config.consumer.ts";
import { createStatusConsumer } from "./consumers/status.consumer.ts";
import { createDb, createPool, createSystemPool, type Db, withSystem } from "./db/client.ts";
import { Dispatcher } from "./delivery/dispatcher.ts";
import { TimerLoop } from "./delivery/timers.ts";
import type { DomainDeps } from "./domain/context.ts";
import { DELIVERY_CHANNEL } from "./domain/deliveries/plan.ts";
import { OUTBOX_CHANNEL, OUTBOX_LOCK_KEY, OUTBOX_TABLE } from "./domain/outbox/enqueue.ts";
import type { AlertEnv } from "./env.ts";
import { createDeliveryWorker } from "./jobs/delivery.job.ts";
import { AlertMetrics } from "./metrics/metrics.ts";
import { refreshGauges } from "./metrics/refresh.ts";

export interface Runtime {
  app: FastifyInstance;
  deps: DomainDeps;
  db: Db;
  pool: pg.Pool;
  metrics: AlertMetrics;
  queue: Queue;
  dispatcher: Dispatcher | null;
  timers: TimerLoop | null;
  worker: Worker | null;
  relay: OutboxRelay | null;
  consumers: Array<EventConsumer<never>>;
  /** Starts the background parts (consumers, worker, dispatcher, timers, relay); call after listen. */
  start(): Promise<void>;
  /** Registers every resource with the shutdown registry, in the conventional order. */
  registerShutdown(registry: ShutdownRegistry): void;
  close(): Promise<void>;
}

/**
 * Wires the process: pools, key ring, LISTEN connection, Redis + BullMQ (queue, worker), Kafka (topics, relay,
 * consumers), dispatcher, timers, app. Nothing runs until start().
 */
export async function createRuntime(
  env: AlertEnv,
  logger: Logger,
  opts: { kafka?: boolean } = {},
): Promise<Runtime> {
  const useKafka = opts.kafka ?? true;
  const ring = parseKeyRing(env.CREDENTIALS_KEYS);
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const pool = createPool(env.DATABASE_URL, env.DATABASE_POOL_MAX);
  const db = createDb(pool);
  // Consumers, worker, dispatcher and relay get their own pool: under API load they must not queue behind request
  // transactions (that would show up as notification latency).
  const systemPool = createSystemPool(
    env.DATABASE_URL,
    Math.max(4, Math.min(env.ALERT_DELIVERY_CONCURRENCY + 4, 30)),
  );
  const systemDb = createDb(systemPool);
  const send = {
    allowedCidrs: env.ALERT_ALLOWED_CIDRS,
    timeoutMs: env.ALERT_DELIVERY_TIMEOUT_MS,
    pagerDutyUrl: env.ALERT_PAGERDUTY_URL,
    email: env.SMTP_URL ? { smtpUrl: env.SMTP_URL, from: env.ALERT_EMAIL_FROM } : null,
  };
  const deps: DomainDeps = { db, ring, topics, dashboardUrl: env.ALERT_DASHBOARD_URL, send };
  const systemDeps: DomainDeps = { ...deps, db: systemDb };
  const metrics = new AlertMetrics();
  const notifications = new PgNotifications(
    env.DATABASE_URL,
    [OUTBOX_CHANNEL, DELIVERY_CHANNEL],
    logger,
    "alert-service-listen",
  );
  await notifications.start();
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 3000 });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
  const queue = new Queue(ALERT_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  queue.on("error", (err) => logger.warn({ err: err.message }, "queue error"));

  let worker: Worker | null = null;
  let dispatcher: Dispatcher | null = null;
  let timers: TimerLoop | null = null;
  let workerRedis: Redis | null = null;
  if (env.ALERT_WORKER_ENABLED) {
    workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 3000 });
    workerRedis.on("error", (err) => logger.warn({ err: err.message }, "redis error (worker)"));
    worker = createDeliveryWorker({
      deps: systemDeps,
      connection: workerRedis,
      prefix: env.REDIS_PREFIX,
      concurrency: env.ALERT_DELIVERY_CONCURRENCY,
      lockDurationMs: env.ALERT_LOCK_DURATION_MS,
      stalledIntervalMs: env.ALERT_STALLED_INTERVAL_MS,
      retry: {
        baseMs: env.ALERT_RETRY_BASE_MS,
        maxMs: env.ALERT_RETRY_MAX_MS,
        maxAgeMs: env.ALERT_DELIVERY_MAX_AGE,
      },
      metrics,
      logger: logger.child({ component: "delivery" }),
    });
    dispatcher = new Dispatcher({
      db: systemDb,
      queue,
      notifications,
      logger: logger.child({ component: "dispatcher" }),
      pollMs: env.ALERT_DISPATCH_POLL_MS,
      requeueAfterMs: env.ALERT_REQUEUE_AFTER_MS,
    });
    timers = new TimerLoop({
      db: systemDb,
      logger: logger.child({ component: "timers" }),
      pollMs: env.ALERT_TIMER_POLL_MS,
    });
  }

  let bus: EventBus | null = null;
  let relay: OutboxRelay | null = null;
  const consumers: Array<EventConsumer<never>> = [];
  if (useKafka) {
    bus = new EventBus({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID, logger });
    await bus.ensureTopics([
      { topic: topics.config },
      { topic: topics.status },
      { topic: topics.incident },
      { topic: topics.deadLetter },
    ]);
    if (env.OUTBOX_RELAY_ENABLED) {
      relay = new OutboxRelay({
        table: OUTBOX_TABLE,
        channel: OUTBOX_CHANNEL,
        lockKey: OUTBOX_LOCK_KEY,
        withSystem: (fn) => withSystem(systemDb, fn),
        producer: await bus.producer(),
        notifications,
        logger: logger.child({ component: "outbox-relay" }),
        pollMs: env.OUTBOX_POLL_MS,
        batchSize: env.OUTBOX_BATCH_SIZE,
      });
    }
    if (env.CONSUMERS_ENABLED) {
      const common = {
        bus,
        deps: systemDeps,
        topics,
        prefix: env.KAFKA_TOPIC_PREFIX,
        metrics,
        concurrency: 3,
      };
      consumers.push((await createStatusConsumer(common)) as unknown as EventConsumer<never>);
      consumers.push((await createConfigConsumer(common)) as unknown as EventConsumer<never>);
    }
  }
  const kafkaBus = bus;
  const app = await buildApp({
    env,
    logger,
    deps,
    metrics: { registry: metrics.registry, refresh: () => refreshGauges(metrics, systemDb, queue) },
    readiness: {
      postgres: () => pool.query("select 1"),
      redis: () => redis.ping(),
      ...(kafkaBus ? { kafka: () => kafkaBus.ping() } : {}),
      ...(consumers.length > 0
        ? {
            consumers: async () => {
              if (!consumers.every((c) => c.isHealthy())) throw new Error("a consumer is not running");
            },
          }
        : {}),
    },
  });

  const start = async () => {
    relay?.start();
    dispatcher?.start();
    timers?.start();
    if (worker) void worker.run().catch((err: unknown) => logger.error({ err }, "delivery worker stopped"));
    for (const c of consumers) {
      // Not awaited: joining the group can wait for a dead member's session to expire; /ready reports meanwhile.
      c.start().catch((err: unknown) => logger.error({ err }, "consumer failed to start"));
    }
  };

  const stopConsumers = async () => {
    await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
  };
  const registerShutdown = (registry: ShutdownRegistry) => {
    registry.register("intake", "http", () => app.close());
    registry.register("intake", "consumers", stopConsumers);
    if (timers) registry.register("intake", "timers", () => timers?.stop());
    if (dispatcher) registry.register("intake", "dispatcher", () => dispatcher?.stop());
    if (worker) registry.register("drain", "delivery-worker", () => worker?.close());
    if (relay) registry.register("drain", "outbox-relay", () => relay?.stop());
    registry.register("postgres", "listen", () => notifications.stop());
    registry.register("postgres", "pool", () => pool.end());
    registry.register("postgres", "system-pool", () => systemPool.end());
    registry.register("brokers", "smtp", () => closeEmailTransports());
    registry.register("brokers", "redis", async () => {
      await queue.close();
      await redis.quit();
      await workerRedis?.quit();
    });
    if (kafkaBus) registry.register("brokers", "kafka", () => kafkaBus.close());
  };

  const close = async () => {
    await app.close();
    await stopConsumers();
    await timers?.stop();
    await dispatcher?.stop();
    await worker?.close();
    await relay?.stop();
    await notifications.stop();
    await pool.end();
    await systemPool.end();
    closeEmailTransports();
    await queue.close().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await workerRedis?.quit().catch(() => undefined);
    await kafkaBus?.close();
  };

  return {
    app,
    deps,
    db,
    pool,
    metrics,
    queue,
    dispatcher,
    timers,
    worker,
    relay,
    consumers,
    start,
    registerShutdown,
    close,
  };
}
