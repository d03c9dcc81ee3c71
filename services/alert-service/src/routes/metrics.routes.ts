import { withTimeout } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";

/**
 * GET /metrics (Prometheus text format), unauthenticated like /health: scrape it on the internal network only.
 * Scrape-time gauges (open incidents, queue depth, oldest pending delivery) are refreshed first; if a source is
 * slow the last values are served.
 */
export function metricsRoutes(opts: {
  registry: { contentType: string; metrics(): Promise<string> };
  refresh: () => Promise<void>;
}) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get("/metrics", { logLevel: "warn", schema: { hide: true } }, async (req, reply) => {
      try {
        await withTimeout(opts.refresh(), 2000, "metrics refresh");
      } catch (err) {
        req.log.warn({ err }, "metrics refresh failed; serving last values");
      }
      reply.header("content-type", opts.registry.contentType);
      return opts.registry.metrics();
    });
  };
}
