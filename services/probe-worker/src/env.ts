import { authEnv, baseEnv, envBool, kafkaEnv, parseEnv, redisEnv } from "@hip/service-kit";
import { z } from "zod";
import { DEFAULT_REPHASE_AFTER_MS } from "./domain/check-wheel.ts";
import { parseAllowedCidrs } from "./probes/index.ts";

const ms = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

/** The probe worker's whole configuration, parsed once at start-up (fails fast naming every bad variable). */
export const probeWorkerEnvShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...redisEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3004),
  KAFKA_CLIENT_ID: z.string().default("probe-worker"),
  CONFIG_SERVICE_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:3001"),
  /** Production: the service token for the config service's internal endpoints. Dev mints one instead. */
  CONFIG_SERVICE_TOKEN: z.string().min(1).optional(),
  /** Comma-separated CIDRs the SSRF guard lets probes reach although they are private/loopback/reserved. */
  PROBE_ALLOWED_CIDRS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseAllowedCidrs(value);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: err instanceof Error ? err.message : "invalid CIDR list" });
        return z.NEVER;
      }
    }),
  /** Scheduled health checks this process runs at once (slots claimed from the check wheel). */
  PROBE_CONCURRENCY: z.coerce.number().int().min(1).max(5_000).default(200),
  /** Manual connection tests this process runs at once, on slots of their own (never behind scheduled checks). */
  PROBE_TEST_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(20),
  /** Slots one tenant may hold at once in this process; 0 = a quarter of PROBE_CONCURRENCY (at least 2). */
  PROBE_TENANT_MAX_IN_FLIGHT: z.coerce.number().int().min(0).max(5_000).default(0),
  /** How often the check wheel is polled for due checks (a finished check also wakes it). */
  WHEEL_POLL_MS: ms(100, 10),
  /** Most due checks claimed in one Redis round trip. */
  WHEEL_CLAIM_BATCH: z.coerce.number().int().min(1).max(5_000).default(500),
  /** A scheduled check claimed later than this after its due time moves its schedule by its lateness, rounded up
   * to whole seconds (a misfire threshold: a backlog is paid once, not by every later slot; decision 0275). */
  WHEEL_REPHASE_AFTER_MS: ms(DEFAULT_REPHASE_AFTER_MS, 100),
  /** Delay before a check that failed on our own infrastructure (config service, result buffer) is tried again. */
  WHEEL_RETRY_MS: ms(5_000, 100),
  /** Decrypted specs live in memory until a config event invalidates them (every process hears it through Redis
   * pub/sub); this TTL only bounds how long a missed invalidation could last. */
  SPEC_CACHE_TTL_MS: ms(3_600_000),
  SPEC_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).default(200_000),
  RESYNC_INTERVAL_MS: ms(600_000, 1_000),
  RESYNC_ON_START: envBool.default(true),
  RESYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(1_000).default(500),
  /** How often each process checks that the "schedules synced" marker still exists (Redis flush detection). */
  MARKER_CHECK_INTERVAL_MS: ms(15_000, 100),
  /** Lease of a claimed check slot and BullMQ lock of a test job; a crashed worker's checks are recovered after it. */
  LOCK_DURATION_MS: ms(30_000, 1_000),
  STALLED_INTERVAL_MS: ms(15_000, 500),
  /** How long a SIGTERM waits for in-flight probes before leaving them to stalled-job recovery. */
  DRAIN_TIMEOUT_MS: ms(10_000, 100),
  /** Probe results this process may hold in its Redis buffer while Kafka is unreachable (~1 KB each). */
  PUBLISH_BUFFER_MAX: z.coerce.number().int().min(1).default(100_000),
  /** Deadline of one Kafka send of buffered results; past it the batch is sent again (same event ids). */
  PUBLISH_SEND_TIMEOUT_MS: ms(5_000, 100),
  /** A publisher whose heartbeat is older than this is dead: another process publishes its buffer. */
  PUBLISH_ORPHAN_MS: ms(30_000, 1_000),
};

export type ProbeWorkerEnv = ReturnType<typeof loadEnv>;

/** Parses the env once (JWT verification: resolveAuth in app.ts). */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  // Production holds no signing key: the service token must be supplied (dev mints its own).
  return parseEnv(probeWorkerEnvShape, source, {
    requiredInProduction: { CONFIG_SERVICE_TOKEN: "production holds no key to mint it" },
  });
}
