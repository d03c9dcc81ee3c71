import { PROBE_QUEUE, topicNames } from "@hip/contracts";
import { EventBus, type EventConsumer } from "@hip/events";
import { DEV_JWT_SECRET, devDefault, type ShutdownRegistry } from "@hip/service-kit";
import { Queue, Worker } from "bullmq";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { z } from "zod";
import { buildApp } from "./app.ts";
import { ConfigClient } from "./config-client/config-client.ts";
import { serviceTokenProvider } from "./config-client/service-token.ts";
import { createConfigConsumer } from "./consumers/config.consumer.ts";
import { workerKeys } from "./domain/keys.ts";
import { ResyncService } from "./domain/resync.ts";
import { ScheduleManager } from "./domain/schedules.ts";
import { SpecCache } from "./domain/spec-cache.ts";
import { StatusPublisher } from "./domain/status-publisher.ts";
import type { ProbeWorkerEnv } from "./env.ts";
import { createProbeProcessor } from "./jobs/probe.job.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { executeProbe, OAuthTokenCache } from "./probes/index.ts";

const CONSUMER_STOP_MS = 3_000;

export interface Runtime {
  app: FastifyInstance;
  queue: Queue;
  worker: Worker;
  redis: Redis;
  schedules: ScheduleManager;
  resync: ResyncService;
  metrics: Metrics;
  specs: SpecCache;
  /** Starts consuming config events, processing jobs and the resync timers (after the app listens). */
  start(): Promise<void>;
  registerShutdown(registry: ShutdownRegistry): void;
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
  const schedules = new ScheduleManager({ queue, redis, keys, logger });
  return { keys, client, schedules };
}

export async function createRuntime(env: ProbeWorkerEnv, logger: Logger): Promise<Runtime> {
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const metrics = createMetrics();
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(PROBE_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  const { keys, client, schedules } = configAccess(env, redis, logger, queue);
  const specs = new SpecCache({ ttlMs: env.SPEC_CACHE_TTL_MS });
  const resync = new ResyncService({
    client,
    schedules,
    redis,
    keys,
    logger,
    pageSize: env.RESYNC_PAGE_SIZE,
    onDone: (s) => {
      metrics.resyncs.inc({ reason: s.reason.split(":")[0] ?? s.reason });
      metrics.resyncChanges.inc({ change: "upserted" }, s.upserted);
      metrics.resyncChanges.inc({ change: "removed" }, s.removed);
      metrics.resyncChanges.inc({ change: "orphan_removed" }, s.orphansRemoved);
    },
  });
  metrics.setSources({
    jobCounts: () => queue.getJobCounts("waiting", "active", "delayed", "prioritized", "failed", "paused"),
    schedulerCount: () => schedules.count(),
  });

  const bus = new EventBus({ brokers: env.KAFKA_BROKERS, clientId: env.KAFKA_CLIENT_ID, logger });
  await bus.ensureTopics([{ topic: topics.config }, { topic: topics.status }, { topic: topics.deadLetter }]);
  const producer = await bus.producer();
  const publisher = new StatusPublisher({ producer, redis, keys, topic: topics.status });
  const probeCtx = { allowedCidrs: env.PROBE_ALLOWED_CIDRS, tokenCache: new OAuthTokenCache() };
  const workerRedis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const worker = new Worker(
    PROBE_QUEUE,
    createProbeProcessor({
      client,
      specs,
      schedules,
      publisher,
      probe: (spec) => executeProbe(spec, probeCtx),
      metrics,
      logger,
    }),
    {
      connection: workerRedis,
      prefix: env.REDIS_PREFIX,
      concurrency: env.PROBE_CONCURRENCY,
      lockDuration: env.LOCK_DURATION_MS,
      stalledInterval: env.STALLED_INTERVAL_MS,
      maxStalledCount: 2,
      autorun: false,
    },
  );
  worker.on("failed", (job, err) => {
    metrics.jobs.inc({ name: job?.name ?? "unknown", outcome: "failed" });
    logger.warn(
      { jobId: job?.id, job: job?.name, attemptsMade: job?.attemptsMade, err: err.message },
      "job failed",
    );
  });
  worker.on("error", (err) => logger.error({ err }, "worker error"));

  let consumer: Pick<EventConsumer<z.ZodType>, "stop" | "isHealthy"> | null = null;
  const consumerPromise = createConfigConsumer({
    bus,
    topics,
    groupId: `${env.KAFKA_TOPIC_PREFIX}probe-worker.config`,
    queue,
    redis,
    keys,
    schedules,
    specs: {
      // Only the process owning the event's partition sees it; the others hear it through Redis pub/sub.
      invalidate: (id) => {
        specs.invalidate(id);
        redis.publish(keys.specInvalidation, id).catch(() => undefined);
      },
    },
    metrics,
    logger,
  });
  const subscriber = redis.duplicate();
  await subscriber.subscribe(keys.specInvalidation);
  subscriber.on("message", (_channel: string, id: string) => specs.invalidate(id));

  const app = await buildApp({
    logger,
    auth: {
      secret:
        env.JWT_PUBLIC_KEY || env.JWT_JWKS_URL
          ? undefined
          : devDefault(env.JWT_SECRET, env.NODE_ENV, DEV_JWT_SECRET, "JWT_SECRET"),
      publicKey: env.JWT_PUBLIC_KEY,
      jwksUrl: env.JWT_JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
    },
    metrics,
    readiness: {
      redis: () => redis.ping(),
      kafka: async () => {
        await bus.ping();
        if (consumer && !consumer.isHealthy()) throw new Error("config consumer is not running");
      },
    },
    resync: (reason) => resync.run(reason),
  });

  const timers: NodeJS.Timeout[] = [];
  const safely = (what: string, fn: () => Promise<unknown>) => () => {
    fn().catch((err: unknown) => logger.error({ err: errMessage(err) }, `${what} failed`));
  };

  return {
    app,
    queue,
    worker,
    redis,
    schedules,
    resync,
    metrics,
    specs,
    async start() {
      // Jobs first: a restarted worker must not wait for the Kafka group rebalance (up to the session
      // timeout after a kill -9) before it recovers stalled jobs and runs due checks.
      void worker.run();
      const c = await consumerPromise;
      consumer = c;
      c.start().catch((err: unknown) =>
        logger.error({ err: errMessage(err) }, "config consumer failed to start"),
      );
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
    registerShutdown(registry) {
      registry.register("intake", "timers", () => {
        for (const t of timers.splice(0)) clearInterval(t);
      });
      registry.register("intake", "config-consumer", async () => {
        // A consumer still joining its group (e.g. right after a restart) blocks disconnect until the join
        // ends; it must not eat the drain phase's time. Offsets are committed per batch, so nothing is lost.
        const stopped = consumer?.stop().catch(() => undefined);
        await Promise.race([stopped, new Promise((r) => setTimeout(r, CONSUMER_STOP_MS).unref())]);
      });
      registry.register("intake", "http", () => app.close());
      registry.register("drain", "worker", async () => {
        // In-flight probes get DRAIN_TIMEOUT_MS; past it their locks lapse and stalled-job recovery on another
        // worker re-runs them, so nothing is lost either way.
        const closed = worker.close().then(() => true);
        const timedOut = new Promise<boolean>((r) =>
          setTimeout(() => r(false), env.DRAIN_TIMEOUT_MS).unref(),
        );
        if (!(await Promise.race([closed, timedOut]))) {
          logger.warn("in-flight probes did not finish in time; leaving them to stalled-job recovery");
          await worker.close(true);
        }
        await publisher.flush();
      });
      registry.register("brokers", "kafka", () => bus.close());
      registry.register("brokers", "redis", async () => {
        subscriber.disconnect();
        await queue.close();
        await workerRedis.quit();
        await redis.quit();
      });
    },
  };
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
