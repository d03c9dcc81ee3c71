import type { FastifyPluginAsync } from "fastify";
import { withTimeout } from "@hip/service-kit";
import { type GaugeSources, refreshGauges } from "../metrics/refresh.ts";

/**
 * GET /metrics (Prometheus text format), unauthenticated like /health: scrape it on the internal network only.
 * Scrape-time gauges are refreshed first; if a source is slow the last values are served rather than nothing.
 */
export const metricsRoutes: FastifyPluginAsync<{ sources: GaugeSources }> = async (app, opts) => {
  // Registered under the prefix /metrics; "" is the prefix itself (no /metrics/ twin).
  app.get("", { logLevel: "warn", schema: { hide: true } }, async (req, reply) => {
    try {
      await withTimeout(refreshGauges(opts.sources), 2000, "metrics refresh");
    } catch (err) {
      req.log.warn({ err }, "metrics refresh failed; serving last values");
    }
    const registry = opts.sources.metrics.registry;
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
};
