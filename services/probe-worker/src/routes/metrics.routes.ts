import type { FastifyInstance } from "fastify";
import type { Metrics } from "../metrics.ts";

/** Prometheus scrape endpoint (unauthenticated, like /health: bind the port to the cluster network only). */
export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics }): Promise<void> {
  app.get("/metrics", { logLevel: "warn" }, async (_req, reply) => {
    const body = await opts.metrics.registry.metrics();
    return reply.header("content-type", opts.metrics.registry.contentType).send(body);
  });
}
