import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * Every Prometheus series the alert-service exports (one registry per runtime, so tests do not share state).
 * Labels are closed sets: channel_type (5), outcome (4), state, topic.
 */
export class AlertMetrics {
  readonly registry = new Registry();
  readonly notifications: Counter<"channel_type" | "outcome">;
  readonly deliveryLatency: Histogram<"channel_type">;
  readonly openIncidents: Gauge<"state">;
  readonly queueDepth: Gauge<"state">;
  readonly oldestPendingAge: Gauge;
  readonly pendingDeliveries: Gauge;
  readonly events: Counter<"topic" | "outcome">;
  readonly deadLetters: Counter<"topic">;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: "hip_alert_" });
    this.notifications = new Counter({
      name: "hip_alert_notifications_total",
      help: "Delivery attempts by channel type and outcome (success, retry, failed = gave up, cancelled)",
      labelNames: ["channel_type", "outcome"],
      registers,
    });
    this.deliveryLatency = new Histogram({
      name: "hip_alert_delivery_latency_seconds",
      help: "Time from the status change (or ack, or reminder due time) to the receiver's 2xx",
      labelNames: ["channel_type"],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 21_600, 86_400],
      registers,
    });
    this.openIncidents = new Gauge({
      name: "hip_alert_open_incidents",
      help: "Unresolved incidents by state (open, acknowledged), all tenants",
      labelNames: ["state"],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "hip_alert_queue_depth",
      help: "Delivery jobs in the BullMQ queue by state (waiting, delayed, active)",
      labelNames: ["state"],
      registers,
    });
    this.oldestPendingAge = new Gauge({
      name: "hip_alert_oldest_pending_delivery_age_seconds",
      help: "Age of the oldest delivery not yet succeeded or given up (0 when none)",
      registers,
    });
    this.pendingDeliveries = new Gauge({
      name: "hip_alert_pending_deliveries",
      help: "Deliveries not yet succeeded or given up",
      registers,
    });
    this.events = new Counter({
      name: "hip_alert_events_total",
      help: "Consumed events by topic and outcome (opened, resolved, applied, duplicate, stale, ignored)",
      labelNames: ["topic", "outcome"],
      registers,
    });
    this.deadLetters = new Counter({
      name: "hip_alert_dead_letters_total",
      help: "Malformed events sent to the dead-letter topic",
      labelNames: ["topic"],
      registers,
    });
  }
}
