import type { FastifyInstance } from "fastify";
import { requireMetricsToken, withTimeout } from "./app.ts";

/** What a Prometheus registry offers (prom-client's Registry); service-kit does not depend on prom-client. */
export interface MetricsRegistry {
  contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsRouteOptions {
  registry: MetricsRegistry;
  /** Scrape-time gauges (backlogs, queue depths) refreshed before each scrape; the last values on failure. */
  refresh?: () => Promise<void>;
  /** METRICS_TOKEN: when set, scrapes must send it as bearer (Prometheus `authorization.credentials`). */
  token?: string | undefined;
}

/**
 * GET /metrics in the Prometheus text format, behind METRICS_TOKEN when set (required in production: the series
 * name tenants). If a scrape-time source is slow (2 s) or down, the last values are served with a warning.
 */
export function registerMetricsRoute(app: FastifyInstance, opts: MetricsRouteOptions): void {
  const onRequest = requireMetricsToken(opts.token);
  app.get("/metrics", { logLevel: "warn", schema: { hide: true }, onRequest }, async (req, reply) => {
    if (opts.refresh) {
      try {
        await withTimeout(opts.refresh(), 2000, "metrics refresh");
      } catch (err) {
        req.log.warn({ err }, "metrics refresh failed; serving last values");
      }
    }
    reply.header("content-type", opts.registry.contentType);
    return opts.registry.metrics();
  });
}

/** A histogram of request durations (prom-client's Histogram fits). */
export interface RequestDurationObserver {
  observe(labels: { method: string; route: string; status_class: string }, seconds: number): void;
}

/**
 * Records every answered request's duration by method, route template (never the raw URL: bounded
 * cardinality, no ids or query strings) and status class. Unmatched routes count as "unmatched".
 */
export function observeRequestDurations(app: FastifyInstance, histogram: RequestDurationObserver): void {
  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    if (route === "/metrics") return;
    histogram.observe(
      { method: req.method, route, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
      reply.elapsedTime / 1000,
    );
  });
}
