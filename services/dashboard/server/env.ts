import { z } from "zod";
import { baseEnv, DEV_JWT_SECRET, devDefault, envBool, parseEnv } from "@hip/service-kit";

const DashboardEnv = {
  ...baseEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3002),
  CONFIG_SERVICE_URL: z.url().default("http://127.0.0.1:3001"),
  STATS_SERVICE_URL: z.url().default("http://127.0.0.1:3003"),
  ALERT_SERVICE_URL: z.url().default("http://127.0.0.1:3005"),
  /** Dev sign-in helper (mints tokens). Never on in production, whatever this says. */
  DASHBOARD_DEV_LOGIN: envBool.default(true),
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  /** Where the built SPA lives; tests may point elsewhere. */
  DASHBOARD_DIST_DIR: z.string().optional(),
};

export interface DashboardConfig {
  nodeEnv: "development" | "test" | "production";
  logLevel: string;
  host: string;
  port: number;
  shutdownTimeoutMs: number;
  configServiceUrl: string;
  statsServiceUrl: string;
  alertServiceUrl: string;
  /** Null when the dev sign-in helper is disabled. */
  devLoginSecret: string | null;
  distDir: string | null;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): DashboardConfig {
  const env = parseEnv(DashboardEnv, source);
  const devLogin = env.NODE_ENV !== "production" && env.DASHBOARD_DEV_LOGIN;
  return {
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    host: env.HOST,
    port: env.PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    configServiceUrl: env.CONFIG_SERVICE_URL.replace(/\/$/, ""),
    statsServiceUrl: env.STATS_SERVICE_URL.replace(/\/$/, ""),
    alertServiceUrl: env.ALERT_SERVICE_URL.replace(/\/$/, ""),
    devLoginSecret: devLogin ? devDefault(env.JWT_SECRET, env.NODE_ENV, DEV_JWT_SECRET, "JWT_SECRET") : null,
    distDir: env.DASHBOARD_DIST_DIR ?? null,
  };
}
