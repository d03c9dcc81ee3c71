import { authEnv, baseEnv, DEV_JWT_SECRET, devDefault, kafkaEnv, parseEnv } from "@hip/service-kit";
import { z } from "zod";

/** The example's configuration, parsed once (the only reader of process.env). */
export const labOrdersEnvShape = {
  ...baseEnv,
  ...kafkaEnv,
  ...authEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3010),
  KAFKA_CLIENT_ID: z.string().default("lab-orders"),
  STATS_SERVICE_URL: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:3003"),
  /** The tenant whose LIS this instance sends to. */
  TENANT_ID: z.string().min(1).max(100),
  /** The LIS integration's id in the platform (config-service). */
  LIS_INTEGRATION_ID: z.uuid(),
  /** Where orders go: mllp://host:port. */
  LIS_ENDPOINT: z.string().regex(/^mllp:\/\/[^/]+:\d+$/, "must be mllp://host:port"),
  /** Production: a service token for the status snapshot. Dev mints one from JWT_SECRET. */
  STATUS_SERVICE_TOKEN: z.string().min(1).optional(),
  /** Stable per-process id (pod name) for the status client's consumer group. */
  INSTANCE_ID: z.string().min(1).max(100).optional(),
  HELD_RETRY_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
};

export type LabOrdersEnv = ReturnType<typeof loadEnv>;

export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(labOrdersEnvShape, source);
  // Without STATUS_SERVICE_TOKEN the service signs its own (development only): fail at start-up, not at first use.
  if (!env.STATUS_SERVICE_TOKEN)
    devDefault(env.JWT_SECRET, env.NODE_ENV, DEV_JWT_SECRET, "STATUS_SERVICE_TOKEN");
  return env;
}
