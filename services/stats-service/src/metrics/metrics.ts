import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Every Prometheus series the stats-service exports (one registry per app, so tests do not share state).
 * Label sets are closed: `type`, `status`, `result`, `topic` are small enums; `tenant` exists only on
 * hip_stats_integrations and is capped at METRICS_TOP_TENANTS values plus "other".
 */
export class StatsMetrics {
  readonly registry = new Registry();
  readonly integrations: Gauge<"tenant" | "type" | "status">;
  readonly checks: Counter<"type" | "result">;
  readonly checkLatency: Histogram<"type">;
  readonly eventsApplied: Counter<"type">;
  readonly eventsDuplicate: Counter;
  readonly eventsStale: Counter;
  readonly deadLetters: Counter<"topic">;
  readonly batchDuration: Histogram;
  readonly applyLag: Histogram;
  readonly consumerLag: Gauge<"topic">;
  readonly freshness: Gauge;
  readonly newestEventTime: Gauge;
  readonly sseClients: Gauge;
  readonly retentionDeleted: Counter<"table">;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "hip_stats_" });
    this.integrations = new Gauge({
      name: "hip_stats_integrations",
      help: "Live integrations by tenant (top-N by size, the rest as 'other'), type and status",
      labelNames: ["tenant", "type", "status"],
      registers,
    });
    this.checks = new Counter({
      name: "hip_stats_checks_total",
      help: "Probe results applied to the read model (each counted once), by integration type and result",
      labelNames: ["type", "result"],
      registers,
    });
    this.checkLatency = new Histogram({
      name: "hip_stats_check_latency_seconds",
      help: "Probe latency of applied check results",
      labelNames: ["type"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.eventsApplied = new Counter({
      name: "hip_stats_events_applied_total",
      help: "Events applied to the read model for the first time",
      labelNames: ["type"],
      registers,
    });
    this.eventsDuplicate = new Counter({
      name: "hip_stats_events_duplicate_total",
      help: "Events skipped because their id was already applied (redelivery or replay)",
      registers,
    });
    this.eventsStale = new Counter({
      name: "hip_stats_events_stale_total",
      help: "Probe results not applied: checked before 90 % of RETENTION_RAW_DAYS, past their dedupe window",
      registers,
    });
    this.deadLetters = new Counter({
      name: "hip_stats_dead_letters_total",
      help: "Malformed events sent to the dead-letter topic",
      labelNames: ["topic"],
      registers,
    });
    this.batchDuration = new Histogram({
      name: "hip_stats_projection_batch_seconds",
      help: "Time to apply one consumed batch (one Postgres transaction)",
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.applyLag = new Histogram({
      name: "hip_stats_event_apply_delay_seconds",
      help: "Event time to committed in the read model",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 120, 600],
      registers,
    });
    this.consumerLag = new Gauge({
      name: "hip_stats_consumer_lag_messages",
      help: "Projection consumer group lag (end offset minus committed offset), per topic",
      labelNames: ["topic"],
      registers,
    });
    this.freshness = new Gauge({
      name: "hip_stats_read_model_freshness_seconds",
      help: "Age of the newest event applied to the read model (now minus its event time)",
      registers,
    });
    this.newestEventTime = new Gauge({
      name: "hip_stats_read_model_newest_event_timestamp_seconds",
      help: "Event time of the newest event applied to the read model (unix seconds)",
      registers,
    });
    this.sseClients = new Gauge({
      name: "hip_stats_sse_clients",
      help: "Open /stats/stream connections on this replica",
      registers,
    });
    this.retentionDeleted = new Counter({
      name: "hip_stats_retention_deleted_rows_total",
      help: "Rows removed by the retention job",
      labelNames: ["table"],
      registers,
    });
  }
}
