import {
  type AuthEnv,
  buildServiceApp,
  type ReadinessCheck,
  registerAuth,
  registerMetricsRoute,
  resolveAuth,
} from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { ResyncSummary } from "./domain/resync.ts";
import type { Metrics } from "./metrics.ts";
import { adminRoutes } from "./routes/admin.routes.ts";

export interface AppDeps {
  env: AuthEnv & { TRUSTED_PROXIES?: readonly string[]; METRICS_TOKEN?: string };
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  resync: (reason: string) => Promise<ResyncSummary | null>;
}

/** The worker's HTTP surface: /health, /ready, /metrics and POST /admin/resync. Built without listening. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = buildServiceApp({
    name: "probe-worker",
    logger: deps.logger,
    readiness: deps.readiness,
    trustedProxies: deps.env.TRUSTED_PROXIES ?? [],
    metricsToken: deps.env.METRICS_TOKEN,
  });
  await registerAuth(app, resolveAuth(deps.env));
  registerMetricsRoute(app, { registry: deps.metrics.registry, token: deps.env.METRICS_TOKEN });
  await app.register(adminRoutes, { prefix: "/admin", resync: deps.resync });
  return app;
}
