import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { buildApp } from "../src/app.ts";
import { StreamHub } from "../src/domain/stream/hub.ts";
import { loadEnv } from "../src/env.ts";
import { StatsMetrics } from "../src/metrics/metrics.ts";
import { TrafficMetrics } from "../src/metrics/traffic-metrics.ts";
import type pg from "pg";
import { logger } from "./support.ts";

/** The app on a test database; `redis` (with a unique REDIS_PREFIX override) makes the rate limit Redis-backed. */
export async function testApp(
  pool: pg.Pool,
  overrides: Record<string, string> = {},
  redis: Redis | null = null,
  clock?: () => number,
): Promise<{ app: FastifyInstance; hub: StreamHub; metrics: StatsMetrics; traffic: TrafficMetrics }> {
  const env = loadEnv({ NODE_ENV: "test", SSE_HEARTBEAT_MS: "200", ...overrides });
  const hub = new StreamHub(env.SSE_BUFFER_SIZE);
  const metrics = new StatsMetrics({ defaultMetrics: false });
  const traffic = new TrafficMetrics(metrics.registry);
  const app = await buildApp({
    env,
    logger,
    pool,
    metrics,
    hub,
    redis,
    traffic: { metrics: traffic, ...(clock ? { clock } : {}) },
  });
  await app.ready();
  return { app, hub, metrics, traffic };
}
