import { isIP } from "node:net";
import { z } from "zod";

/** Env var schemas shared by the services. Each service composes the pieces it needs into ONE object. */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const PROXY_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** One TRUSTED_PROXIES entry: an address, a CIDR, or proxy-addr's `loopback` / `linklocal` / `uniquelocal`. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [addr = "", bits, ...rest] = entry.split("/");
  const family = isIP(addr);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

export const baseEnv = {
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().default("0.0.0.0"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * Proxies whose X-Forwarded-For is believed (client ip in the audit trail and anonymous rate limits): comma or
   * space separated addresses/CIDRs. Empty (default): none, the socket address is the client.
   */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform((s) => s.split(/[\s,]+/).filter(Boolean))
    .refine((list) => list.every(isProxyEntry), {
      message: "each entry must be an IP address, a CIDR, loopback, linklocal or uniquelocal",
    }),
  /**
   * Bearer token for the operator endpoints `/metrics` and `/health/details` (they show every tenant's counts and
   * the system's internals). Unset: open, which only development and test allow; required when
   * NODE_ENV=production.
   */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
};

export const kafkaEnv = {
  KAFKA_BROKERS: z
    .string()
    .default("127.0.0.1:9092")
    .transform((s) =>
      s
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  KAFKA_CLIENT_ID: z.string().optional(),
  KAFKA_TOPIC_PREFIX: z.string().default(""),
  /** Cap of the Kafka client's retry backoff and of a consumer's restart delay (recovery after an outage). */
  KAFKA_RETRY_MAX_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** How long a member that stopped heartbeating (kill -9) keeps its partitions; broker allows 6000-300000. */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(8_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  KAFKA_COMMIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
};

/** The transactional outbox relay's broker-send deadline and row lease (config-service, alert-service). */
export const outboxEnv = {
  /** Deadline of one Kafka send by the relay; no transaction is open during it. Keep well below the lease. */
  OUTBOX_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** How long rows claimed by a relay stay its own; a crashed relay's rows are claimed again after it. */
  OUTBOX_LEASE_MS: z.coerce.number().int().min(1_000).default(30_000),
};

export const databaseEnv = {
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default("postgres://postgres@127.0.0.1:5432/hip"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
};

export const redisEnv = {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default("redis://127.0.0.1:6379/0"),
  REDIS_PREFIX: z.string().default("hip"),
};

/** JWT verification. HS256 with JWT_SECRET in development; RS256 with a PEM key or a JWKS URL in production. */
export const authEnv = {
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  JWT_PUBLIC_KEY: z.string().optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  /** Longest accepted lifetime of a user token (exp - iat, and exp - now); `exp` is always required. */
  JWT_MAX_TTL_SECONDS: z.coerce.number().int().min(60).default(86_400),
  /** Longest accepted lifetime of a service token (role service, no tenant). */
  JWT_SERVICE_MAX_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** Clock skew tolerated for `iat` in the future and on the lifetime caps. */
  JWT_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
};

export { bool as envBool };

export class EnvError extends Error {
  override name = "EnvError";
}

/**
 * Variables of the shared shapes that development and test may leave unset but production must set (with why).
 * A service adds its own through parseEnv's `requiredInProduction`.
 */
const REQUIRED_IN_PRODUCTION: Record<string, string> = {
  METRICS_TOKEN: "it guards /metrics and /health/details",
};

/** Parses env once at start-up; throws an EnvError that names every bad or missing variable and why. */
export function parseEnv<S extends z.ZodRawShape>(
  shape: S,
  source: Record<string, string | undefined> = process.env,
  opts: { requiredInProduction?: Record<string, string> } = {},
): z.infer<z.ZodObject<S>> {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
  }
  const data = result.data as Record<string, unknown>;
  if (data.NODE_ENV === "production") {
    const missing = Object.entries({ ...REQUIRED_IN_PRODUCTION, ...opts.requiredInProduction }).filter(
      ([name]) => name in shape && !data[name],
    );
    if (missing.length > 0) {
      const lines = missing.map(([name, why]) => `  - ${name}: required when NODE_ENV=production (${why})`);
      throw new EnvError(`Invalid environment configuration:\n${lines.join("\n")}`);
    }
  }
  return result.data;
}

/** A dev-only default for a secret: allowed when NODE_ENV is development or test, refused in production. */
export function devDefault(
  value: string | undefined,
  nodeEnv: string,
  fallback: string,
  name: string,
): string {
  if (value) return value;
  if (nodeEnv === "production") throw new EnvError(`${name} is required when NODE_ENV=production`);
  return fallback;
}
