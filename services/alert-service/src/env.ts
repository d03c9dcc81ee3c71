import { parseAllowedCidrs } from "@hip/net-guard";
import {
  authEnv,
  baseEnv,
  databaseEnv,
  devDefault,
  envBool,
  kafkaEnv,
  parseEnv,
  outboxEnv,
  redisEnv,
} from "@hip/service-kit";
import { z } from "zod";

/** Dev-only key ring (same value as deploy/dev.env); refused when NODE_ENV=production. */
const DEV_CREDENTIALS_KEYS = "dev1:ZGV2LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmctMDAwMDA=";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `30s`, `500ms`, `2d`, or a plain number of milliseconds. */
export const duration = (def: string) =>
  z
    .string()
    .default(def)
    .transform((value, ctx) => {
      const m = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(value);
      if (!m?.[1]) {
        ctx.addIssue({
          code: "custom",
          message: "must be a duration like 24h, 90m, 30s, 500ms or milliseconds",
        });
        return z.NEVER;
      }
      return Number(m[1]) * (UNITS[m[2] ?? "ms"] ?? 1);
    });

const ms = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

export const alertEnvShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...outboxEnv,
  ...databaseEnv,
  ...redisEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3005),
  KAFKA_CLIENT_ID: z.string().default("alert-service"),
  /** Comma list of `<keyId>:<base64 32 bytes>`; the last key encrypts, every key decrypts. */
  CREDENTIALS_KEYS: z.string().optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(65_536),
  /** Private/loopback ranges channel URLs may reach (SSRF allowlist, like PROBE_ALLOWED_CIDRS). */
  ALERT_ALLOWED_CIDRS: z
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
  /** SMTP server for EMAIL channels: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  ALERT_EMAIL_FROM: z.string().min(3).default("HIP Alerts <alerts@hip.invalid>"),
  /** Base of the dashboard links in notifications (`<base>/incidents/<id>`). */
  ALERT_DASHBOARD_URL: z.url().default("http://127.0.0.1:3002/dashboard/integration"),
  /** PagerDuty Events API v2 endpoint used when a channel sets no `url`. */
  ALERT_PAGERDUTY_URL: z.url().default("https://events.pagerduty.com/v2/enqueue"),
  /** How long a delivery is retried before the service gives up on it. */
  ALERT_DELIVERY_MAX_AGE: duration("24h"),
  /** Status changes older than this when applied open incidents without notifying (first start on history). */
  ALERT_NOTIFY_MAX_EVENT_AGE: duration("1h"),
  ALERT_RETRY_BASE_MS: ms(5_000, 1),
  ALERT_RETRY_MAX_MS: ms(900_000, 1),
  ALERT_DELIVERY_TIMEOUT_MS: ms(10_000, 100),
  ALERT_DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(20),
  /** BullMQ lock per active delivery job; a crashed replica's jobs are picked up after it expires. */
  ALERT_LOCK_DURATION_MS: ms(30_000, 1_000),
  ALERT_STALLED_INTERVAL_MS: ms(15_000, 500),
  ALERT_DISPATCH_POLL_MS: ms(1_000, 10),
  /** A pending delivery not picked up this long after it was due is enqueued again (e.g. after a Redis loss). */
  ALERT_REQUEUE_AFTER_MS: ms(60_000, 100),
  ALERT_TIMER_POLL_MS: ms(5_000, 10),
  /** How long a parent's incident waits for dependent integrations to fail before their digest goes out (and how
   * long a child with dependencies waits for a parent's incident before its own page). */
  ALERT_DEPENDENCY_HOLD_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** Run the delivery worker, dispatcher and timers in this process (API-only replicas set false). */
  ALERT_WORKER_ENABLED: envBool.default(true),
  CONSUMERS_ENABLED: envBool.default(true),
  /** Applied event ids are kept this long (8 days: longer than the topics' 7-day retention), then purged. */
  PROCESSED_EVENTS_RETENTION_HOURS: z.coerce.number().int().min(1).max(87_600).default(192),
  OUTBOX_RELAY_ENABLED: envBool.default(true),
  OUTBOX_POLL_MS: ms(1_000, 10),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
};

export type AlertEnv = ReturnType<typeof loadEnv>;

/** Parses the env once; the dev key ring applies outside production only (JWT: resolveAuth in app.ts). */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(alertEnvShape, source);
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
