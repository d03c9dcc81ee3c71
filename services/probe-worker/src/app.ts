import { type AuthConfig, buildServiceApp, type ReadinessCheck, registerAuth } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { ResyncSummary } from "./domain/resync.ts";
import type { Metrics } from "./metrics.ts";
import { adminRoutes } from "./routes/admin.routes.ts";
import { metricsRoutes } from "./routes/metrics.routes.ts";

export interface AppDeps {
  logger: Logger;
  auth: AuthConfig;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  resync: (reason: string) => Promise<ResyncSummary | null>;
}

/** The worker's HTTP surface: /health, /ready, /metrics and POST /admin/resync. Built without listening. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = buildServiceApp({ name: "probe-worker", logger: deps.logger, readiness: deps.readiness });
  await registerAuth(app, deps.auth);
  await app.register(metricsRoutes, { metrics: deps.metrics });
  await app.register(adminRoutes, { resync: deps.resync });
  return app;
}
