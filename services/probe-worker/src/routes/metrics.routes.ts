import type { FastifyPluginAsync } from "fastify";
import type { Metrics } from "../metrics.ts";

/** Prometheus scrape endpoint (unauthenticated, like /health: bind the port to the cluster network only). */
export const metricsRoutes: FastifyPluginAsync<{ metrics: Metrics }> = async (app, opts) => {
  // Registered under the prefix /metrics; "" is the prefix itself (no /metrics/ twin).
  app.get("", { logLevel: "warn" }, async (_req, reply) => {
    const body = await opts.metrics.registry.metrics();
    return reply.header("content-type", opts.metrics.registry.contentType).send(body);
  });
};
