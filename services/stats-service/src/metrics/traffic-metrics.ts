import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * Traffic (passive health) series, on the stats registry. Labels are closed sets: integration `type` (10 values),
 * message `kind`, ingest `via`, reject `reason`, anomaly `kind`. Never per integration or tenant (cardinality).
 */
export class TrafficMetrics {
  readonly messages: Counter<"type" | "kind">;
  readonly reports: Counter<"type" | "via">;
  readonly rejected: Counter<"via" | "reason">;
  readonly duplicates: Counter<"via">;
  readonly ingestDelay: Histogram<"via">;
  readonly openAnomalies: Gauge<"type" | "kind">;
  readonly anomalyTransitions: Counter<"kind" | "state">;
  readonly tickDuration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.messages = new Counter({
      name: "hip_traffic_messages_total",
      help: "Messages reported by interface engines, by integration type and kind (received, sent, errored, negative_ack)",
      labelNames: ["type", "kind"],
      registers,
    });
    this.reports = new Counter({
      name: "hip_traffic_reports_total",
      help: "Traffic reports stored (each once), by integration type and way in (http, kafka)",
      labelNames: ["type", "via"],
      registers,
    });
    this.rejected = new Counter({
      name: "hip_traffic_reports_rejected_total",
      help: "Traffic reports refused (http: whole batches; kafka: dead-lettered messages), by reason",
      labelNames: ["via", "reason"],
      registers,
    });
    this.duplicates = new Counter({
      name: "hip_traffic_reports_duplicate_total",
      help: "Traffic reports ignored because the same (integration, window, source) was stored before",
      labelNames: ["via"],
      registers,
    });
    this.ingestDelay = new Histogram({
      name: "hip_traffic_ingest_delay_seconds",
      help: "Kafka: CloudEvent time to committed in the read model",
      labelNames: ["via"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 120],
      registers,
    });
    this.openAnomalies = new Gauge({
      name: "hip_traffic_open_anomalies",
      help: "Traffic anomalies open now, by integration type and kind (set by the detector tick)",
      labelNames: ["type", "kind"],
      registers,
    });
    this.anomalyTransitions = new Counter({
      name: "hip_traffic_anomaly_transitions_total",
      help: "Traffic anomalies opened and resolved by this replica's detector",
      labelNames: ["kind", "state"],
      registers,
    });
    this.tickDuration = new Histogram({
      name: "hip_traffic_detector_tick_seconds",
      help: "Time of one detector pass over every judged integration",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  countStored(
    via: "http" | "kafka",
    byType: Map<
      string,
      { reports: number; received: number; sent: number; errored: number; negativeAcks: number }
    >,
  ): void {
    for (const [type, t] of byType) {
      this.reports.inc({ type, via }, t.reports);
      this.messages.inc({ type, kind: "received" }, t.received);
      this.messages.inc({ type, kind: "sent" }, t.sent);
      this.messages.inc({ type, kind: "errored" }, t.errored);
      this.messages.inc({ type, kind: "negative_ack" }, t.negativeAcks);
    }
  }
}
