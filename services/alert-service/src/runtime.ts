import { ALERT_QUEUE, type TopicNames, topicNames } from "@hip/contracts";
import { EventBus, type EventConsumer, kafkaTuningFromEnv } from "@hip/events";
import { OutboxRelay, PgNotifications, ProcessedEventsPurger } from "@hip/outbox";
import { parseKeyRing } from "@hip/secrets";
import { healthCheck, type Logger, type ServiceRuntime } from "@hip/service-kit";
import { Queue, type Worker } from "bullmq";
import { Redis } from "ioredis";
import { buildApp } from "./app.ts";
import type { SendContext } from "./channels/model.ts";
import { closeEmailTransports } from "./channels/senders/email.ts";
import { createConfigConsumer } from "./consumers/config.consumer.ts";
import { createStatusConsumer } from "./consumers/status.consumer.ts";
import { createDb, createPool, createSystemPool, withSystem } from "./db/client.ts";
import { Dispatcher } from "./delivery/dispatcher.ts";
import { TimerLoop } from "./delivery/timers.ts";
import type { DomainDeps } from "./domain/context.ts";
import { DELIVERY_CHANNEL } from "./domain/deliveries/plan.ts";
import { OUTBOX_CHANNEL, OUTBOX_LOCK_KEY, OUTBOX_TABLE } from "./domain/outbox/enqueue.ts";
import type { AlertEnv } from "./env.ts";
import { createDeliveryWorker } from "./jobs/delivery.job.ts";
import { AlertMetrics } from "./metrics/metrics.ts";
import { refreshGauges } from "./metrics/refresh.ts";

export interface Runtime extends ServiceRuntime {
  /** Request-path dependencies (tenant pool). */
  deps: DomainDeps;
  metrics: AlertMetrics;
  queue: Queue;
  /** Null when ALERT_WORKER_ENABLED=false. */
  timers: TimerLoop | null;
  dispatcher: Dispatcher | null;
  /** Purges old `alerts.processed_events` ids; null when the consumers do not run here. */
  purger: ProcessedEventsPurger | null;
}

/**
 * Postgres: the request pool (tenant transactions), the system pool (consumers, dispatcher, worker, timers,
 * relay; its own, so notification latency never queues behind API load) and the LISTEN connection.
 */
async function connectPostgres(env: AlertEnv, logger: Logger) {
  const pool = createPool(env.DATABASE_URL, env.DATABASE_POOL_MAX);
  const systemPool = createSystemPool(
    env.DATABASE_URL,
    Math.max(4, Math.min(env.ALERT_DELIVERY_CONCURRENCY + 4, 30)),
  );
  const notifications = new PgNotifications(
    env.DATABASE_URL,
    [OUTBOX_CHANNEL, DELIVERY_CHANNEL],
    logger,
    "alert-service-listen",
  );
  await notifications.start();
  return { pool, db: createDb(pool), systemPool, systemDb: createDb(systemPool), notifications };
}

function sendContext(env: AlertEnv): SendContext {
  return {
    allowedCidrs: env.ALERT_ALLOWED_CIDRS,
    timeoutMs: env.ALERT_DELIVERY_TIMEOUT_MS,
    pagerDutyUrl: env.ALERT_PAGERDUTY_URL,
    email: env.SMTP_URL ? { smtpUrl: env.SMTP_URL, from: env.ALERT_EMAIL_FROM } : null,
  };
}

/** Redis + BullMQ: the queue (dispatcher adds, metrics count) and, when enabled, the worker, dispatcher, timers. */
function connectDelivery(
  env: AlertEnv,
  logger: Logger,
  systemDeps: DomainDeps,
  notifications: PgNotifications,
  metrics: AlertMetrics,
) {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 3000 });
  redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
  const queue = new Queue(ALERT_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  queue.on("error", (err) => logger.warn({ err: err.message }, "queue error"));
  if (!env.ALERT_WORKER_ENABLED)
    return { redis, queue, workerRedis: null, worker: null, dispatcher: null, timers: null };
  const workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null, connectTimeout: 3000 });
  workerRedis.on("error", (err) => logger.warn({ err: err.message }, "redis error (worker)"));
  const worker: Worker = createDeliveryWorker({
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
  const dispatcher = new Dispatcher({
    db: systemDeps.db,
    queue,
    notifications,
    logger: logger.child({ component: "dispatcher" }),
    pollMs: env.ALERT_DISPATCH_POLL_MS,
    requeueAfterMs: env.ALERT_REQUEUE_AFTER_MS,
  });
  const timers = new TimerLoop({
    db: systemDeps.db,
    deps: systemDeps,
    logger: logger.child({ component: "timers" }),
    pollMs: env.ALERT_TIMER_POLL_MS,
  });
  return { redis, queue, workerRedis, worker, dispatcher, timers };
}

/** Kafka: the topics, the outbox relay (integration.incident.v1) and the two consumers. */
async function connectKafka(
  env: AlertEnv,
  logger: Logger,
  topics: TopicNames,
  systemDeps: DomainDeps,
  notifications: PgNotifications,
  metrics: AlertMetrics,
) {
  const bus = new EventBus({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    logger,
    tuning: kafkaTuningFromEnv(env),
  });
  await bus.ensureTopics([
    { topic: topics.config },
    { topic: topics.status },
    { topic: topics.incident },
    { topic: topics.deadLetter },
  ]);
  const relay = env.OUTBOX_RELAY_ENABLED
    ? new OutboxRelay({
        table: OUTBOX_TABLE,
        channel: OUTBOX_CHANNEL,
        lockKey: OUTBOX_LOCK_KEY,
        withSystem: (fn) => withSystem(systemDeps.db, fn),
        producer: await bus.producer(),
        notifications,
        logger: logger.child({ component: "outbox-relay" }),
        pollMs: env.OUTBOX_POLL_MS,
        batchSize: env.OUTBOX_BATCH_SIZE,
        sendTimeoutMs: env.OUTBOX_SEND_TIMEOUT_MS,
        leaseMs: env.OUTBOX_LEASE_MS,
      })
    : null;
  const consumers: Array<Pick<EventConsumer<never>, "start" | "stop" | "isHealthy" | "status">> = [];
  if (env.CONSUMERS_ENABLED) {
    const common = { bus, deps: systemDeps, topics, prefix: env.KAFKA_TOPIC_PREFIX, metrics, concurrency: 3 };
    consumers.push(await createStatusConsumer(common), await createConfigConsumer(common));
  }
  return { bus, relay, consumers };
}

/**
 * Wires the process: Postgres, key ring, Redis + BullMQ, Kafka (unless `kafka: false`, for HTTP-only tests) and
 * the app. Nothing runs in the background until start().
 */
export async function createRuntime(
  env: AlertEnv,
  logger: Logger,
  opts: { kafka?: boolean; clock?: () => Date } = {},
): Promise<Runtime> {
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const pg = await connectPostgres(env, logger);
  const deps: DomainDeps = {
    db: pg.db,
    ring: parseKeyRing(env.CREDENTIALS_KEYS),
    topics,
    dashboardUrl: env.ALERT_DASHBOARD_URL,
    send: sendContext(env),
    notifyMaxEventAgeMs: env.ALERT_NOTIFY_MAX_EVENT_AGE,
    dependencyHoldMs: env.ALERT_DEPENDENCY_HOLD_SECONDS * 1000,
    clock: opts.clock ?? (() => new Date()),
  };
  const systemDeps: DomainDeps = { ...deps, db: pg.systemDb };
  const metrics = new AlertMetrics();
  const delivery = connectDelivery(env, logger, systemDeps, pg.notifications, metrics);
  const kafka =
    (opts.kafka ?? true)
      ? await connectKafka(env, logger, topics, systemDeps, pg.notifications, metrics)
      : null;
  const consumers = kafka?.consumers ?? [];
  // Every replica that consumes also purges old dedupe ids (concurrent purges skip each other's rows).
  const purger =
    consumers.length > 0
      ? new ProcessedEventsPurger({
          table: "alerts.processed_events",
          withSystem: (fn) => withSystem(pg.systemDb, fn),
          retentionHours: env.PROCESSED_EVENTS_RETENTION_HOURS,
          logger: logger.child({ component: "processed-events-purge" }),
        })
      : null;
  const app = await buildApp({
    env,
    logger,
    deps,
    metrics: {
      registry: metrics.registry,
      refresh: () => refreshGauges(metrics, pg.systemDb, delivery.queue),
    },
    readiness: {
      postgres: () => pg.pool.query("select 1"),
      redis: () => delivery.redis.ping(),
      ...(kafka ? { kafka: () => kafka.bus.ping() } : {}),
      // Each consumer's group state, partitions, last poll; the outbox backlog (/health/details).
      ...(consumers.length > 0
        ? {
            consumers: healthCheck(
              Object.fromEntries(consumers.map((c) => [c.status().groupId, () => c.status()])),
            ),
          }
        : {}),
      ...(kafka?.relay
        ? { outbox: healthCheck({ relay: () => (kafka.relay as OutboxRelay).health() }) }
        : {}),
    },
  });

  return {
    app,
    deps,
    metrics,
    queue: delivery.queue,
    timers: delivery.timers,
    dispatcher: delivery.dispatcher,
    purger,
    async start() {
      kafka?.relay?.start();
      delivery.dispatcher?.start();
      delivery.timers?.start();
      const worker = delivery.worker;
      if (worker) void worker.run().catch((err: unknown) => logger.error({ err }, "delivery worker stopped"));
      purger?.start();
      for (const c of consumers) {
        // Not awaited: joining the group can wait for a dead member's session to expire; /ready reports meanwhile.
        c.start().catch((err: unknown) => logger.error({ err }, "consumer failed to start"));
      }
    },
    registerShutdown(registry) {
      registry.register("intake", "http", () => app.close());
      for (const c of consumers) registry.register("intake", "consumer", () => c.stop());
      const { timers, dispatcher, worker } = delivery;
      if (timers) registry.register("intake", "timers", () => timers.stop());
      if (dispatcher) registry.register("intake", "dispatcher", () => dispatcher.stop());
      if (worker) registry.register("drain", "delivery-worker", () => worker.close());
      const relay = kafka?.relay;
      if (relay) registry.register("drain", "outbox-relay", () => relay.stop());
      if (purger) registry.register("drain", "processed-events-purge", () => purger.stop());
      registry.register("postgres", "listen", () => pg.notifications.stop());
      registry.register("postgres", "pool", () => pg.pool.end());
      registry.register("postgres", "system-pool", () => pg.systemPool.end());
      registry.register("brokers", "smtp", () => closeEmailTransports());
      registry.register("brokers", "redis", async () => {
        await delivery.queue.close();
        await delivery.redis.quit();
        await delivery.workerRedis?.quit();
      });
      if (kafka) registry.register("brokers", "kafka", () => kafka.bus.close());
    },
  };
}
