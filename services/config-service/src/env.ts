import {
  authEnv,
  baseEnv,
  databaseEnv,
  devDefault,
  EnvError,
  envBool,
  kafkaEnv,
  parseEnv,
  outboxEnv,
  redisEnv,
} from "@hip/service-kit";
import { z } from "zod";

/** Dev-only key ring (same value as deploy/dev.env); refused when NODE_ENV=production. */
const DEV_CREDENTIALS_KEYS = "dev1:ZGV2LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmctMDAwMDA=";

/** The config-service configuration: parsed once at start-up (the only reader of process.env). */
export const configEnvShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...outboxEnv,
  ...databaseEnv,
  ...redisEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3001),
  KAFKA_CLIENT_ID: z.string().default("config-service"),
  /** Comma list of `<keyId>:<base64 32 bytes>`; the last key encrypts, every key decrypts. */
  CREDENTIALS_KEYS: z.string().optional(),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(300),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  /** A rate-limit command slower than this counts as Redis down (the request passes, the circuit opens). */
  RATE_LIMIT_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).default(100),
  /** While the circuit is open, Redis is pinged this often in the background; the first answer closes it. */
  RATE_LIMIT_REDIS_RECHECK_MS: z.coerce.number().int().min(50).default(1_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(262_144),
  OUTBOX_RELAY_ENABLED: envBool.default(true),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** Test hook for crash-safety tests: SIGKILL the process after the first publish, before marking. */
  OUTBOX_CRASH_AFTER_PUBLISH: envBool.default(false),
  STATUS_CONSUMER_ENABLED: envBool.default(true),
  /** Status-topic partitions consumed at once; their fetched batches are applied together (one set of transactions). */
  STATUS_PARTITIONS_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3),
  /**
   * How long applied probe-result ids are kept for exactly-once (purged after, in small batches). Probe results
   * checked longer ago than 90 % of it are not applied at all (stale), so a redelivery or a replay from offset 0
   * can never count one twice, whatever the topic's retention. 24 h: ~144 M ids at 1,667 checks/s.
   */
  PROCESSED_EVENTS_RETENTION_HOURS: z.coerce.number().int().min(1).max(87_600).default(24),
  /** Upper bound of how long POST /configs/:id/test waits for the probe result before answering 202. */
  TEST_WAIT_MAX_MS: z.coerce.number().int().min(0).max(120_000).default(30_000),
};

export type ConfigEnv = ReturnType<typeof loadEnv>;

/** Parses the env once; the dev key ring applies outside production only (JWT: resolveAuth in app.ts). */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(configEnvShape, source);
  if (env.NODE_ENV === "production" && env.OUTBOX_CRASH_AFTER_PUBLISH) {
    throw new EnvError("OUTBOX_CRASH_AFTER_PUBLISH is a test hook and is refused in production");
  }
  return {
    ...env,
    CREDENTIALS_KEYS: devDefault(
      env.CREDENTIALS_KEYS,
      env.NODE_ENV,
      DEV_CREDENTIALS_KEYS,
      "CREDENTIALS_KEYS",
    ),
  };
}
