import { type IntegrationTrafficReported, topicNames } from "@hip/contracts";
import type { EventBus } from "@hip/events";
import { OutboxRelay } from "@hip/outbox";
import { drizzle } from "drizzle-orm/node-postgres";
import { healthCheck, type Logger, type ReadinessCheck } from "@hip/service-kit";
import type { Registry } from "prom-client";
import { createTrafficConsumer } from "./consumers/traffic.consumer.ts";
import { createTrafficConfigConsumer } from "./consumers/traffic-config.consumer.ts";
import type { Database } from "./db/client.ts";
import type { StatsEnv } from "./env.ts";
import { TrafficDetector } from "./jobs/traffic-detector.job.ts";
import { TrafficMetrics } from "./metrics/traffic-metrics.ts";

export const TRAFFIC_OUTBOX_TABLE = "stats.traffic_outbox";
const TRAFFIC_OUTBOX_LOCK = 3_003_015;

export interface TrafficRuntime {
  metrics: TrafficMetrics;
  detector: TrafficDetector;
  relay: OutboxRelay;
  start(): Promise<void>;
  /** Readiness (and /health/details): both traffic consumers' group state. */
  readiness: ReadinessCheck;
  stopIntake(): Promise<void>;
  drain(): Promise<void>;
}

/**
 * Passive health wiring (issue 14), kept apart from the probe read model: the traffic consumer
 * (integration.traffic.v1), the expectations consumer (config topic, own group), the detector tick and the relay
 * of its outbox (integration.traffic_anomaly on the status topic).
 */
export async function createTrafficRuntime(o: {
  env: StatsEnv;
  logger: Logger;
  bus: EventBus;
  database: Database;
  registry: Registry;
  clock?: () => number;
  onTrafficStored?: (info: { stored: number; events: IntegrationTrafficReported[] }) => void;
}): Promise<TrafficRuntime> {
  const { env, logger, bus, database } = o;
  const metrics = new TrafficMetrics(o.registry);
  const topics = topicNames(env.KAFKA_TOPIC_PREFIX);
  const consumer = await createTrafficConsumer({
    bus,
    pool: database.pool,
    metrics,
    logger: logger.child({ component: "traffic-consumer" }),
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    partitionsConcurrently: env.TRAFFIC_PARTITIONS_CONCURRENCY,
    maxAgeMs: env.TRAFFIC_REPORTS_RETENTION_HOURS * 3_600_000,
    ...(o.clock ? { now: o.clock } : {}),
    ...(o.onTrafficStored ? { onStored: o.onTrafficStored } : {}),
  });
  const expectations = await createTrafficConfigConsumer({
    bus,
    pool: database.pool,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
  });
  // @hip/outbox speaks drizzle's `execute`; this handle exists only for the relay (the service's own SQL is plain
  // pg, decision 0022).
  const relayDb = drizzle(database.pool);
  const relay = new OutboxRelay({
    table: TRAFFIC_OUTBOX_TABLE,
    channel: "stats_traffic_outbox",
    lockKey: TRAFFIC_OUTBOX_LOCK,
    withSystem: (fn) => relayDb.transaction((tx) => fn(tx)),
    producer: await bus.producer(),
    notifications: null,
    logger: logger.child({ component: "traffic-outbox-relay" }),
    pollMs: env.OUTBOX_POLL_MS,
    batchSize: env.OUTBOX_BATCH_SIZE,
  });
  const detector = new TrafficDetector({
    pool: database.pool,
    metrics,
    logger: logger.child({ component: "traffic-detector" }),
    topics,
    intervalMs: env.TRAFFIC_TICK_MS,
    retention: {
      reportsHours: env.TRAFFIC_REPORTS_RETENTION_HOURS,
      minuteDays: env.RETENTION_MINUTE_DAYS,
      hourDays: env.RETENTION_HOUR_DAYS,
    },
    onEvents: () => relay.kick(),
    ...(o.clock ? { clock: o.clock } : {}),
  });
  return {
    metrics,
    detector,
    relay,
    async start() {
      await consumer.start();
      await expectations.start();
      relay.start();
      if (env.TRAFFIC_DETECTOR_ENABLED) detector.start();
    },
    readiness: healthCheck({
      trafficConsumer: () => consumer.status(),
      trafficExpectations: () => expectations.status(),
    }),
    async stopIntake() {
      await Promise.all([consumer.stop(), expectations.stop()]);
    },
    async drain() {
      await detector.stop();
      await relay.stop();
    },
  };
}
