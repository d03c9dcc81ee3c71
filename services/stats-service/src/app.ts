import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { API_BASE_PATH } from "@hip/contracts";
import {
  buildServiceApp,
  type Logger,
  type ReadinessCheck,
  registerAuth,
  registerMetricsRoute,
  registerRateLimit,
  resolveAuth,
} from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type pg from "pg";
import type { StreamHub } from "./domain/stream/hub.ts";
import type { StatsEnv } from "./env.ts";
import type { StatsMetrics } from "./metrics/metrics.ts";
import { type GaugeSources, refreshGauges } from "./metrics/refresh.ts";
import { statsRoutes } from "./routes/stats.routes.ts";
import { streamRoutes } from "./routes/stream.routes.ts";
import type { TrafficMetrics } from "./metrics/traffic-metrics.ts";
import { trafficRoutes } from "./routes/traffic.routes.ts";
import { statusSnapshotRoutes } from "./snapshot/snapshot.routes.ts";

export interface AppDeps {
  env: Pick<
    StatsEnv,
    | "NODE_ENV"
    | "TRUSTED_PROXIES"
    | "METRICS_TOKEN"
    | "JWT_SECRET"
    | "JWT_PUBLIC_KEY"
    | "JWT_JWKS_URL"
    | "JWT_ISSUER"
    | "JWT_AUDIENCE"
    | "JWT_MAX_TTL_SECONDS"
    | "JWT_SERVICE_MAX_TTL_SECONDS"
    | "JWT_CLOCK_SKEW_SECONDS"
    | "SSE_HEARTBEAT_MS"
    | "SSE_MAX_STREAMS_PER_TENANT"
    | "METRICS_TOP_TENANTS"
    | "KAFKA_TOPIC_PREFIX"
    | "RATE_LIMIT_MAX"
    | "RATE_LIMIT_WINDOW_MS"
    | "REDIS_PREFIX"
  >;
  /** Rate-limit store shared by the replicas; null (unit tests only) counts in memory. */
  redis: Redis | null;
  logger: Logger;
  pool: pg.Pool;
  metrics: StatsMetrics;
  hub: StreamHub;
  traffic: { metrics: TrafficMetrics; clock?: () => number; maxAgeMs?: number };
  readiness?: Record<string, ReadinessCheck>;
  lag?: GaugeSources["lag"];
}

/** Builds the HTTP app without listening (tests use app.inject or listen on port 0). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = buildServiceApp({
    name: "stats-service",
    logger: deps.logger,
    // A full traffic batch (1,000 reports with ACK counts and a source) is ~300 KB; anything else is small.
    bodyLimit: 1024 * 1024,
    trustedProxies: deps.env.TRUSTED_PROXIES,
    metricsToken: deps.env.METRICS_TOKEN,
    readiness: { postgres: () => deps.pool.query("SELECT 1"), ...deps.readiness },
  });
  await registerAuth(app, resolveAuth(deps.env));
  await app.register(swagger, {
    openapi: {
      info: {
        title: "stats-service",
        version: "1.0.0",
        description: "Integration health read model and stats API",
      },
      components: {
        securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await registerRateLimit(app, {
    max: deps.env.RATE_LIMIT_MAX,
    windowMs: deps.env.RATE_LIMIT_WINDOW_MS,
    redis: deps.redis,
    nameSpace: `${deps.env.REDIS_PREFIX}:stats-service:rl:`,
  });
  await app.register(statsRoutes, { prefix: API_BASE_PATH, pool: deps.pool });
  await app.register(trafficRoutes, {
    prefix: API_BASE_PATH,
    pool: deps.pool,
    metrics: deps.traffic.metrics,
    ...(deps.traffic.clock ? { now: deps.traffic.clock } : {}),
    ...(deps.traffic.maxAgeMs ? { maxAgeMs: deps.traffic.maxAgeMs } : {}),
  });
  await app.register(statusSnapshotRoutes, {
    prefix: API_BASE_PATH,
    pool: deps.pool,
    topicPrefix: deps.env.KAFKA_TOPIC_PREFIX,
  });
  await app.register(streamRoutes, {
    prefix: API_BASE_PATH,
    hub: deps.hub,
    metrics: deps.metrics,
    heartbeatMs: deps.env.SSE_HEARTBEAT_MS,
    maxStreamsPerTenant: deps.env.SSE_MAX_STREAMS_PER_TENANT,
  });
  const sources: GaugeSources = {
    pool: deps.pool,
    metrics: deps.metrics,
    topTenants: deps.env.METRICS_TOP_TENANTS,
    ...(deps.lag ? { lag: deps.lag } : {}),
  };
  registerMetricsRoute(app, {
    registry: deps.metrics.registry,
    refresh: () => refreshGauges(sources),
    token: deps.env.METRICS_TOKEN,
  });
  return app;
}
