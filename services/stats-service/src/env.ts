import { authEnv, baseEnv, databaseEnv, envBool, kafkaEnv, parseEnv, redisEnv } from "@hip/service-kit";
import { z } from "zod";

const days = (fallback: number) => z.coerce.number().int().min(1).max(3650).default(fallback);

/** The stats-service configuration: parsed once at start-up (the only reader of process.env). */
export const statsEnvShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...databaseEnv,
  ...redisEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3003),
  KAFKA_CLIENT_ID: z.string().default("stats-service"),
  /** Raw probe results are kept this long (per-check detail, "recent checks"). */
  RETENTION_RAW_DAYS: days(7),
  /** Per-minute roll-ups (minute timeseries, exact 24 h edges). */
  RETENTION_MINUTE_DAYS: days(30),
  /** Per-hour roll-ups (hour/day timeseries, 7 d / 30 d uptime). */
  RETENTION_HOUR_DAYS: days(365),
  /** Kafka partitions the projection applies at once (kafkajs partitionsConsumedConcurrently). */
  PROJECTION_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  /** Stream messages kept per tenant for Last-Event-ID resumption. */
  SSE_BUFFER_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Passive health (issue 14): the detector's clock tick; off = this replica ingests and serves only. */
  TRAFFIC_DETECTOR_ENABLED: envBool.default(true),
  TRAFFIC_TICK_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Raw traffic reports (the idempotency window): older windowStarts are refused, older rows pruned. */
  TRAFFIC_REPORTS_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(48),
  /** Kafka partitions of integration.traffic.v1 applied at once. */
  TRAFFIC_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Outbox relay of integration.traffic_anomaly (poll fallback; commits kick it at once). */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).default(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  /** Open streams one tenant may hold on one replica; the next one is refused with 429 STREAM_LIMIT. */
  SSE_MAX_STREAMS_PER_TENANT: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Requests per window per tenant (Redis-backed, shared by replicas; service tokens exempt). */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  /** `tenant` label cardinality cap on hip_stats_integrations: the N largest tenants, the rest as "other". */
  METRICS_TOP_TENANTS: z.coerce.number().int().min(1).max(1000).default(20),
};

export type StatsEnv = ReturnType<typeof loadEnv>;

/** Parses the env once (JWT: resolveAuth in app.ts). */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  return parseEnv(statsEnvShape, source);
}
