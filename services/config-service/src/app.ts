import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { API_BASE_PATH } from "@hip/contracts";
import {
  buildServiceApp,
  observeRequestDurations,
  type ReadinessCheck,
  registerAuth,
  registerMetricsRoute,
  registerRateLimit,
  resolveAuth,
} from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { Redis } from "ioredis";
import { circuitRedisStore, type RedisCircuit } from "./rate-limit-store.ts";
import type { Logger } from "pino";
import type { PgNotifications } from "@hip/outbox";
import type { DomainDeps } from "./domain/context.ts";
import type { ConfigEnv } from "./env.ts";
import type { ConfigMetrics } from "./metrics/metrics.ts";
import { configRoutes } from "./routes/configs/configs.routes.ts";
import { testRoutes } from "./routes/configs/tests.routes.ts";
import { internalRoutes } from "./routes/internal/internal.routes.ts";

export interface AppOptions {
  env: ConfigEnv;
  logger: Logger;
  deps: DomainDeps;
  notifications: PgNotifications | null;
  /** Rate-limit store; without it (unit tests only) the limiter counts in memory. */
  redis: Redis | null;
  /** Opens while Redis is down; the rate limiter then fails open without waiting. */
  redisCircuit?: RedisCircuit | null;
  readiness?: Record<string, ReadinessCheck>;
  /** Prometheus: request durations and GET /metrics (scrape-time gauges refreshed by `refresh`). */
  metrics?: { metrics: ConfigMetrics; refresh: () => Promise<void> };
}

/** Builds the Fastify app (plugins + routes) without listening; tests drive it with app.inject. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { env, deps } = opts;
  const app = buildServiceApp({
    name: "config-service",
    logger: opts.logger,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustedProxies: env.TRUSTED_PROXIES,
    metricsToken: env.METRICS_TOKEN,
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
  });
  await registerAuth(app, resolveAuth(env));
  if (opts.metrics) {
    observeRequestDurations(app, opts.metrics.metrics.requestDuration);
    registerMetricsRoute(app, {
      registry: opts.metrics.metrics.registry,
      refresh: opts.metrics.refresh,
      token: env.METRICS_TOKEN,
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "config-service",
        version: "1.0.0",
        description: "Integration records of the integration-health platform (tenant-scoped, JWT).",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await registerRateLimit(app, {
    max: env.RATE_LIMIT_MAX,
    windowMs: env.RATE_LIMIT_WINDOW_MS,
    redis: opts.redis,
    nameSpace: `${env.REDIS_PREFIX}:config-service:rl:`,
    // A Redis outage must not take the API down or slow it: while the circuit is open requests pass unlimited
    // at once, without touching Redis (decision 0824).
    ...(opts.redis && opts.redisCircuit
      ? { store: circuitRedisStore(opts.redis, opts.redisCircuit, `${env.REDIS_PREFIX}:config-service:rl:`) }
      : {}),
  });
  await app.register(configRoutes, { prefix: API_BASE_PATH, deps });
  await app.register(testRoutes, {
    prefix: API_BASE_PATH,
    deps,
    notifications: opts.notifications,
    maxWaitMs: env.TEST_WAIT_MAX_MS,
  });
  await app.register(internalRoutes, { prefix: "/internal", deps });
  return app;
}
