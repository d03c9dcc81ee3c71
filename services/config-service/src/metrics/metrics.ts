import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every Prometheus series the config-service exports (one registry per runtime, so tests do not share state).
 * Labels are closed sets: method, route template, status class, topic. No tenant or integration ids.
 */
export class ConfigMetrics {
  readonly registry = new Registry();
  readonly requestDuration: Histogram<"method" | "route" | "status_class">;
  readonly outboxBacklog: Gauge;
  readonly outboxOldestAge: Gauge;
  readonly consumerLag: Gauge<"topic">;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "hip_config_" });
    this.requestDuration = new Histogram({
      name: "hip_config_http_request_duration_seconds",
      help: "HTTP request duration by method, route template and status class",
      labelNames: ["method", "route", "status_class"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.outboxBacklog = new Gauge({
      name: "hip_config_outbox_backlog",
      help: "Committed outbox rows not yet published to Kafka (all tenants)",
      registers,
    });
    this.outboxOldestAge = new Gauge({
      name: "hip_config_outbox_oldest_age_seconds",
      help: "Age of the oldest unpublished outbox row (0 when the outbox is drained)",
      registers,
    });
    this.consumerLag = new Gauge({
      name: "hip_config_status_consumer_lag",
      help: "Messages on the status topic not yet committed by the config-service status consumer group",
      labelNames: ["topic"],
      registers,
    });
  }
}
