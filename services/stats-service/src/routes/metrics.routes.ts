import type { FastifyInstance } from "fastify";
import { withTimeout } from "@hip/service-kit";
import { type GaugeSources, refreshGauges } from "../metrics/refresh.ts";

/**
 * GET /metrics (Prometheus text format), unauthenticated like /health: scrape it on the internal network only.
 * Scrape-time gauges are refreshed first; if a source is slow the last values are served rather than nothing.
 */
export async function metricsRoutes(app: FastifyInstance, opts: { sources: GaugeSources }): Promise<void> {
  app.get("/metrics", { logLevel: "warn", schema: { hide: true } }, async (req, reply) => {
    try {
      await withTimeout(refreshGauges(opts.sources), 2000, "metrics refresh");
    } catch (err) {
      req.log.warn({ err }, "metrics refresh failed; serving last values");
    }
    const registry = opts.sources.metrics.registry;
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
}
