import { baseEnv, envBool, parseEnv } from "@hip/service-kit";
import { z } from "zod";

/** The dashboard server's configuration: parsed once at start-up (the only reader of process.env). */
export const dashboardEnvShape = {
  ...baseEnv,
  PORT: z.coerce.number().int().min(0).max(65_535).default(3002),
  CONFIG_SERVICE_URL: z.url().default("http://127.0.0.1:3001"),
  STATS_SERVICE_URL: z.url().default("http://127.0.0.1:3003"),
  /** Dev sign-in helper (mints tokens). Never on in production, whatever this says. */
  DASHBOARD_DEV_LOGIN: envBool.default(true),
  /** The key dev tokens are signed with (resolveAuth's HS256 rule); only read while dev sign-in is on. */
  JWT_SECRET: z.string().min(32, "JWT_SECRET must be at least 32 characters").optional(),
  /** Where the built SPA lives; tests may point elsewhere. */
  DASHBOARD_DIST_DIR: z.string().optional(),
};

export type DashboardEnv = ReturnType<typeof loadEnv>;

/** Parses the env once; dev sign-in is forced off in production. */
export function loadEnv(source: Record<string, string | undefined> = process.env) {
  const env = parseEnv(dashboardEnvShape, source);
  return {
    ...env,
    CONFIG_SERVICE_URL: env.CONFIG_SERVICE_URL.replace(/\/$/, ""),
    STATS_SERVICE_URL: env.STATS_SERVICE_URL.replace(/\/$/, ""),
    DASHBOARD_DEV_LOGIN: env.NODE_ENV !== "production" && env.DASHBOARD_DEV_LOGIN,
  };
}
