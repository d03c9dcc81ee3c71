import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import { API_BASE_PATH } from "@hip/contracts";
import {
  buildServiceApp,
  type MetricsRouteOptions,
  type ReadinessCheck,
  registerAuth,
  registerMetricsRoute,
  resolveAuth,
} from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform } from "fastify-type-provider-zod";
import type { Logger } from "pino";
import type { DomainDeps } from "./domain/context.ts";
import type { AlertEnv } from "./env.ts";
import { channelRoutes } from "./routes/channels.routes.ts";
import { incidentRoutes } from "./routes/incidents.routes.ts";
import { maintenanceRoutes } from "./routes/maintenance.routes.ts";
import { policyRoutes } from "./routes/policies.routes.ts";

/** The alert API lives under the platform's API base: /api/integration/alerts/... */
export const ALERTS_PREFIX = `${API_BASE_PATH}/alerts`;

export interface AppOptions {
  env: AlertEnv;
  logger: Logger;
  deps: DomainDeps;
  metrics: MetricsRouteOptions;
  readiness?: Record<string, ReadinessCheck>;
}

/** Builds the Fastify app (plugins + routes) without listening; tests drive it with app.inject. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { env, deps } = opts;
  const app = buildServiceApp({
    name: "alert-service",
    logger: opts.logger,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustedProxies: env.TRUSTED_PROXIES,
    metricsToken: env.METRICS_TOKEN,
    ...(opts.readiness ? { readiness: opts.readiness } : {}),
  });
  await registerAuth(app, resolveAuth(env));
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "alert-service",
        version: "1.0.0",
        description:
          "Incidents and notifications of the integration-health platform (tenant-scoped, JWT). A tenant with no " +
          "enabled policy matching an integration gets no notifications for it.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(incidentRoutes, { prefix: ALERTS_PREFIX, deps });
  await app.register(channelRoutes, { prefix: ALERTS_PREFIX, deps });
  await app.register(policyRoutes, { prefix: ALERTS_PREFIX, deps });
  await app.register(maintenanceRoutes, { prefix: ALERTS_PREFIX, deps });
  registerMetricsRoute(app, { ...opts.metrics, token: env.METRICS_TOKEN });
  return app;
}
