import { PROBE_QUEUE, type TopicNames, topicNames } from "@hip/contracts";
import { EventBus, kafkaTuningFromEnv } from "@hip/events";
import { healthCheck, type Logger, type ServiceRuntime, type ShutdownRegistry } from "@hip/service-kit";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { buildApp } from "./app.ts";
import { ConfigClient } from "./config-client/config-client.ts";
import { serviceTokenProvider } from "./config-client/service-token.ts";
import { SpecBatcher } from "./config-client/spec-batcher.ts";
import { createConfigConsumer } from "./consumers/config.consumer.ts";
import { type WorkerKeys, workerKeys } from "./domain/keys.ts";
import { CheckWheel } from "./domain/check-wheel.ts";
import { ResyncService } from "./domain/resync.ts";
import { ScheduleManager } from "./domain/schedules.ts";
import { SpecCache } from "./domain/spec-cache.ts";
import { StatusPublisher } from "./domain/status-publisher.ts";
import type { ProbeWorkerEnv } from "./env.ts";
import { defaultTenantCap, TenantSlots } from "./domain/tenant-slots.ts";
import { createProbeProcessor, createScheduledCheck } from "./jobs/probe.job.ts";
import { WheelRunner } from "./jobs/wheel-runner.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { executeProbe, OAuthTokenCache } from "./probes/index.ts";

const CONSUMER_STOP_MS = 3_000;

export interface Runtime extends ServiceRuntime {
  queue: Queue;
  /** Runs manual connection tests (BullMQ jobs). */
  worker: Worker;
  /** Runs scheduled health checks claimed from the check wheel. */
  wheel: WheelRunner;
  checkWheel: CheckWheel;
  redis: Redis;
  schedules: ScheduleManager;
  resync: ResyncService;
  metrics: Metrics;
  specs: SpecCache;
  publisher: StatusPublisher;
}

/** Everything the worker needs to talk to: the config service, the schedules, Kafka, the probes. */
export function configAccess(env: ProbeWorkerEnv, redis: Redis, logger: Logger, queue: Queue) {
  const keys = workerKeys(env.REDIS_PREFIX);
  const client = new ConfigClient({
    baseUrl: env.CONFIG_SERVICE_URL,
    token: serviceTokenProvider({
      staticToken: env.CONFIG_SERVICE_TOKEN,
      secret: env.JWT_SECRET,
      nodeEnv: env.NODE_ENV,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    }),
  });
  const wheel = new CheckWheel({ redis, prefix: env.REDIS_PREFIX });
  const schedules = new ScheduleManager({ queue, wheel, redis, keys, logger });
  return { keys, client, schedules, wheel };
}

/** Resync from the config service, counted in the metrics. */
function createResync(
  env: ProbeWorkerEnv,
  access: ReturnType<typeof configAccess>,
  redis: Redis,
  metrics: Metrics,
  logger: Logger,
): ResyncService {
  return new ResyncService({
    client: access.client,
    schedules: access.schedules,
    redis,
    keys: access.keys,
    logger,
    pageSize: env.RESYNC_PAGE_SIZE,
    onDone: (s) => {
      metrics.resyncs.inc({ reason: s.reason.split(":")[0] ?? s.reason });
      metrics.resyncChanges.inc({ change: "upserted" }, s.upserted);
      metrics.resyncChanges.inc({ change: "removed" }, s.removed);
      metrics.resyncChanges.inc({ change: "orphan_removed" }, s.orphansRemoved);
    },
  });
}

/**
 * The spec cache, invalidated in every process: only the process owning an event's partition sees it, the
 * others hear it through Redis pub/sub.
 */
async function sharedSpecCache(env: ProbeWorkerEnv, redis: Redis, keys: WorkerKeys) {
  const specs = new SpecCache({ ttlMs: env.SPEC_CACHE_TTL_MS, maxEntries: env.SPEC_CACHE_MAX_ENTRIES });
  const subscriber = redis.duplicate();
  await subscriber.subscribe(keys.specInvalidation);
  subscriber.on("message", (_channel: string, id: string) => specs.invalidate(id));
  // Pub/sub is at-most-once: invalidations sent while this subscriber was disconnected are lost, so a
  // reconnect forgets every cached spec.
  let connectedOnce = false;
  subscriber.on("ready", () => {
    if (connectedOnce) specs.clear();
    connectedOnce = true;
  });
  const invalidate = (id: string) => {
    specs.invalidate(id);
    redis.publish(keys.specInvalidation, id).catch(() => undefined);
  };
  return { specs, invalidate, subscriber };
}

/** The BullMQ worker running the probes (not started: autorun off), on its own Redis connection. */
function createProbeWorker(
  env: ProbeWorkerEnv,
  processor: ReturnType<typeof createProbeProcessor>,
  metrics: Metrics,
  logger: Logger,
) {
  const connection = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker(PROBE_QUEUE, processor, {
    connection,
    prefix: env.REDIS_PREFIX,
    concurrency: env.PROBE_TEST_CONCURRENCY,
    lockDuration: env.LOCK_DURATION_MS,
    stalledInterval: env.STALLED_INTERVAL_MS,
    maxStalledCount: 2,
    autorun: false,
  });
  worker.on("failed", (job, err) => {
    metrics.jobs.inc({ name: job?.name ?? "unknown", outcome: "failed" });
    logger.warn(
      { jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message },
      "job failed",
    );
  });
  worker.on("error", (err) => logger.error({ err }, "worker error"));
  return { worker, connection };
}

/** Kafka: the topics, the status publisher (probe results) and the bus for the config consumer. */
async function connectKafka(
  env: ProbeWorkerEnv,
  logger: Logger,
  topics: TopicNames,
  redis: Redis,
  keys: WorkerKeys,
  metrics: Metrics,
) {
  const bus = new EventBus({
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID,
    logger,
    tuning: kafkaTuningFromEnv(env),
  });
  await bus.ensureTopics([{ topic: topics.config }, { topic: topics.status }, { topic: topics.deadLetter }]);
  // Probe results go to a durable Redis buffer first; this producer only drains it, so a send may fail fast.
  const publisher = new StatusPublisher({
    producer: await bus.producer({ retries: 2 }),
    redis,
    keys,
    topic: topics.status,
    logger: logger.child({ component: "status-publisher" }),
    maxBuffered: env.PUBLISH_BUFFER_MAX,
    sendTimeoutMs: env.PUBLISH_SEND_TIMEOUT_MS,
    retryMaxMs: env.KAFKA_RETRY_MAX_MS,
    orphanAfterMs: env.PUBLISH_ORPHAN_MS,
    metrics: {
      rejected: () => metrics.publishRejected.inc(),
      sent: (outcome, count) => metrics.publishSent.inc({ outcome }, count),
    },
  });
  return { bus, publisher };
}

/** Start-up resync, periodic resync and the "schedules synced" marker check. */
function resyncTimers(env: ProbeWorkerEnv, resync: ResyncService, logger: Logger) {
  const timers: NodeJS.Timeout[] = [];
  const safely = (what: string, fn: () => Promise<unknown>) => () => {
    fn().catch((err: unknown) => logger.error({ err: errMessage(err) }, `${what} failed`));
  };
  return {
    start() {
      if (env.RESYNC_ON_START) safely("start-up resync", () => resync.run("startup"))();
      timers.push(
        setInterval(
          safely("periodic resync", () => resync.run("periodic")),
          env.RESYNC_INTERVAL_MS,
        ),
      );
      timers.push(
        setInterval(
          safely("marker check", () => resync.ensureSynced()),
          env.MARKER_CHECK_INTERVAL_MS,
        ),
      );
      for (const t of timers) t.unref();
    },
    stop() {
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
}

export async function createRuntime(env: ProbeWorkerEnv, logger: Logger): Promise<Runtime> {
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const metrics = createMetrics();
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(PROBE_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  const access = configAccess(env, redis, logger, queue);
  const { keys, client, schedules, wheel: checkWheel } = access;
  const resync = createResync(env, access, redis, metrics, logger);
  const cache = await sharedSpecCache(env, redis, keys);
  // Every check stores its result through one Lua call on this connection. Auto-pipelining sends the calls made
  // in one event-loop turn as one write (one syscall here, one read in Redis) instead of one each (issue 13:
  // these writes were the worker's largest single CPU cost at 800 checks/s).
  const resultsRedis = redis.duplicate({ enableAutoPipelining: true });
  const { bus, publisher } = await connectKafka(env, logger, topics, resultsRedis, keys, metrics);
  metrics.setSources({
    jobCounts: () => queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "paused"),
    schedulerCount: () => schedules.count(),
    wheel: () => wheelFigures(checkWheel, wheel),
    publishBacklog: () => publisher.backlog(),
  });
  const probeCtx = { allowedCidrs: env.PROBE_ALLOWED_CIDRS, tokenCache: new OAuthTokenCache() };
  const batcher = new SpecBatcher({ client });
  const probeDeps = {
    client,
    loadSpec: (id: string) => batcher.load(id),
    specs: cache.specs,
    schedules,
    publisher,
    probe: (spec: Parameters<typeof executeProbe>[0]) => executeProbe(spec, probeCtx),
    metrics,
    logger,
    tenantSlots: new TenantSlots(env.PROBE_TENANT_MAX_IN_FLIGHT || defaultTenantCap(env.PROBE_CONCURRENCY)),
  };
  const processor = createProbeProcessor(probeDeps);
  const scheduledCheck = createScheduledCheck(probeDeps);
  const wheel = new WheelRunner({
    wheel: checkWheel,
    run: async (check) => {
      await scheduledCheck(check);
    },
    tenantSlots: probeDeps.tenantSlots,
    concurrency: env.PROBE_CONCURRENCY,
    leaseMs: env.LOCK_DURATION_MS,
    pollMs: env.WHEEL_POLL_MS,
    claimBatch: env.WHEEL_CLAIM_BATCH,
    rephaseAfterMs: env.WHEEL_REPHASE_AFTER_MS,
    retryMs: env.WHEEL_RETRY_MS,
    logger,
    onSuperseded: () => metrics.jobs.inc({ name: "health-check", outcome: "superseded" }),
    onRephased: (n) => metrics.rephased.inc(n),
    onError: (what) => {
      if (what === "check") metrics.jobs.inc({ name: "health-check", outcome: "failed" });
    },
  });
  const { worker, connection: workerRedis } = createProbeWorker(env, processor, metrics, logger);
  const consumer = await createConfigConsumer({
    bus,
    topics,
    groupId: `${env.KAFKA_TOPIC_PREFIX}probe-worker.config`,
    queue,
    redis,
    keys,
    schedules,
    specs: { invalidate: cache.invalidate },
    metrics,
    logger,
  });
  const timers = resyncTimers(env, resync, logger);

  const app = await buildApp({
    env,
    logger,
    metrics,
    readiness: {
      redis: () => redis.ping(),
      kafka: () => bus.ping(),
      // The config consumer's group state, partitions, last poll; the result buffer's backlog (/health/details).
      consumers: healthCheck({ config: () => consumer.status() }),
      publisher: healthCheck({ results: () => publisher.health() }),
    },
    resync: (reason) => resync.run(reason),
  });

  return {
    app,
    queue,
    worker,
    wheel,
    checkWheel,
    redis,
    schedules,
    resync,
    metrics,
    specs: cache.specs,
    publisher,
    async start() {
      // Jobs first: a restarted worker must not wait for the Kafka group rebalance (up to the session
      // timeout after a kill -9) before it recovers stalled jobs and runs due checks.
      void worker.run();
      wheel.start();
      publisher.start();
      consumer
        .start()
        .catch((err: unknown) => logger.error({ err: errMessage(err) }, "config consumer failed to start"));
      timers.start();
    },
    registerShutdown(registry: ShutdownRegistry) {
      registry.register("intake", "timers", () => timers.stop());
      registry.register("intake", "config-consumer", async () => {
        // A consumer still joining its group (e.g. right after a restart) blocks disconnect until the join
        // ends; it must not eat the drain phase's time. Offsets are committed per batch, so nothing is lost.
        const stopped = consumer.stop().catch(() => undefined);
        await Promise.race([stopped, new Promise((r) => setTimeout(r, CONSUMER_STOP_MS).unref())]);
      });
      registry.register("intake", "http", () => app.close());
      registry.register("drain", "worker", async () => {
        await Promise.all([wheel.stop(env.DRAIN_TIMEOUT_MS), drainWorker(env, worker, publisher, logger)]);
      });
      registry.register("brokers", "kafka", () => bus.close());
      registry.register("brokers", "redis", async () => {
        cache.subscriber.disconnect();
        await queue.close();
        await workerRedis.quit();
        await resultsRedis.quit();
        await redis.quit();
      });
    },
  };
}

/**
 * In-flight probes get DRAIN_TIMEOUT_MS; past it their locks lapse and stalled-job recovery on another worker
 * re-runs them, so nothing is lost either way. Then the buffered results are published.
 */
async function drainWorker(env: ProbeWorkerEnv, worker: Worker, publisher: StatusPublisher, logger: Logger) {
  const closed = worker.close().then(() => true);
  const timedOut = new Promise<boolean>((r) => setTimeout(() => r(false), env.DRAIN_TIMEOUT_MS).unref());
  if (!(await Promise.race([closed, timedOut]))) {
    logger.warn("in-flight probes did not finish in time; leaving them to stalled-job recovery");
    await worker.close(true);
  }
  await publisher.flush();
}

async function wheelFigures(checkWheel: CheckWheel, runner: WheelRunner) {
  const [due, leased] = await Promise.all([checkWheel.dueBacklog(), checkWheel.leased()]);
  return { due, leased, waiting: runner.queued, running: runner.inFlight };
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
