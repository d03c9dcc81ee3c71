import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { API_BASE_PATH } from "@hip/contracts";
import {
  authenticate,
  buildServiceApp,
  DomainError,
  observeRequestDurations,
  type ReadinessCheck,
  registerAuth,
  registerMetricsRoute,
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
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
  });
  await registerAuth(app, resolveAuth(env));
  if (opts.metrics) {
    observeRequestDurations(app, opts.metrics.metrics.requestDuration);
    registerMetricsRoute(app, { registry: opts.metrics.metrics.registry, refresh: opts.metrics.refresh });
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
  await app.register(rateLimit, {
    global: true,
    max: env.RATE_LIMIT_MAX,
    timeWindow: env.RATE_LIMIT_WINDOW_MS,
    // A Redis outage must not take the API down or slow it: while the circuit is open requests pass unlimited
    // at once, without touching Redis (decision 0824).
    ...(opts.redis && opts.redisCircuit
      ? { store: circuitRedisStore(opts.redis, opts.redisCircuit, `${env.REDIS_PREFIX}:config-service:rl:`) }
      : {}),
    skipOnError: true,
    // Service tokens (the probe worker fetching connection specs, one per check) are internal traffic sized by
    // the schedule, not by a tenant; limiting them would silently drop health checks at scale.
    allowList: async (req) => {
      try {
        const auth = await authenticate(req);
        return auth.roles.includes("service") && !auth.tenantId;
      } catch {
        return false;
      }
    },
    // Keyed by the verified tenant (service tokens by subject); unauthenticated requests by client ip.
    keyGenerator: async (req) => {
      try {
        const auth = await authenticate(req);
        return auth.tenantId ? `tenant:${auth.tenantId}` : `service:${auth.sub}`;
      } catch {
        return `ip:${req.ip}`;
      }
    },
    errorResponseBuilder: (_req, ctx) =>
      new DomainError("RATE_LIMITED", `Rate limit exceeded; retry in ${ctx.after}`, {
        headers: { "retry-after": String(Math.max(1, Math.ceil(ctx.ttl / 1000))) },
      }),
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
