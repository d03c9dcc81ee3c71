import { withTimeout } from "@hip/service-kit";
import type { FastifyPluginAsync } from "fastify";

export interface MetricsRouteOptions {
  registry: { contentType: string; metrics(): Promise<string> };
  refresh: () => Promise<void>;
}

/**
 * GET /metrics (Prometheus text format), unauthenticated like /health: scrape it on the internal network only.
 * Scrape-time gauges (open incidents, queue depth, oldest pending delivery) are refreshed first; if a source is
 * slow the last values are served. Registered with prefix "/metrics" (route path "" = the prefix).
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, opts) => {
  app.get("", { logLevel: "warn", schema: { hide: true } }, async (req, reply) => {
    try {
      await withTimeout(opts.refresh(), 2000, "metrics refresh");
    } catch (err) {
      req.log.warn({ err }, "metrics refresh failed; serving last values");
    }
    reply.header("content-type", opts.registry.contentType);
    return opts.registry.metrics();
  });
};
