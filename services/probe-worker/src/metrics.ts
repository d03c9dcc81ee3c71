import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface MetricsSources {
  jobCounts: () => Promise<Record<string, number>>;
  schedulerCount: () => Promise<number>;
  /** The check wheel: due and unclaimed (all workers), leased (all workers), waiting and running here. */
  wheel?: () => Promise<{ due: number; leased: number; waiting: number; running: number }>;
  /** Results in this process's buffer, not yet acknowledged by Kafka. */
  publishBacklog?: () => Promise<number>;
}

/** The worker's Prometheus metrics, on a registry of its own (several workers can live in one test process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "probe_worker_" });
  let sources: MetricsSources | null = null;
  const lagByPartition = new Map<string, number>();

  const checks = new Counter({
    name: "probe_checks_total",
    help: "Probe checks completed, by result (success|failure), integration type, probe kind and trigger",
    labelNames: ["result", "type", "probe", "trigger"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "probe_latency_seconds",
    help: "Probe latency (last attempt, end to end) by integration type and probe kind",
    labelNames: ["type", "probe"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const drift = new Histogram({
    name: "probe_schedule_drift_seconds",
    help: "Delay between a scheduled check's due time and the moment a worker started it",
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const rephased = new Counter({
    name: "probe_schedule_rephased_total",
    help: "Scheduled checks claimed later than WHEEL_REPHASE_AFTER_MS: each moved its schedule by its lateness (whole seconds)",
    registers: [registry],
  });
  const jobs = new Counter({
    name: "probe_jobs_total",
    help: "Checks processed, by job name (health-check|connection-test) and outcome (published|skipped|superseded|failed)",
    labelNames: ["name", "outcome"] as const,
    registers: [registry],
  });
  const configEvents = new Counter({
    name: "probe_config_events_total",
    help: "Config events handled, by type and outcome",
    labelNames: ["type", "outcome"] as const,
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: "probe_config_dead_letters_total",
    help: "Config messages sent to the dead-letter topic (unparseable)",
    registers: [registry],
  });
  const resyncs = new Counter({
    name: "probe_resyncs_total",
    help: "Schedule resyncs, by reason",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const resyncChanges = new Counter({
    name: "probe_resync_changes_total",
    help: "Scheduler changes made by resyncs (upserted|removed|orphan_removed)",
    labelNames: ["change"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "probe_queue_jobs",
    help: "Jobs in the probe queue by state",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      if (!sources) return;
      const counts = await sources.jobCounts();
      for (const state of ["waiting", "active", "delayed", "prioritized", "failed", "paused"]) {
        this.set({ state }, counts[state] ?? 0);
      }
    },
  });
  const publishRejected = new Counter({
    name: "probe_publish_buffer_rejected_total",
    help: "Probe results refused because the result buffer was full (PUBLISH_BUFFER_MAX); their jobs failed",
    registers: [registry],
  });
  const publishSent = new Counter({
    name: "probe_publish_sent_total",
    help: "Buffered probe results sent to Kafka, by outcome (ok|failed; failed ones are sent again)",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "probe_publish_buffer",
    help: "Probe results in this process's Redis buffer, waiting for Kafka",
    registers: [registry],
    async collect() {
      if (sources?.publishBacklog) this.set(await sources.publishBacklog());
    },
  });
  new Gauge({
    name: "probe_wheel_checks",
    help: "Check wheel: due and not yet claimed (due), claimed and not acknowledged by any worker (leased), claimed and waiting for a tenant slot here (waiting), running here (running)",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      if (!sources?.wheel) return;
      const w = await sources.wheel();
      for (const state of ["due", "leased", "waiting", "running"] as const) this.set({ state }, w[state]);
    },
  });
  new Gauge({
    name: "probe_schedulers",
    help: "Health-check schedules in the check wheel (one per eligible integration)",
    registers: [registry],
    async collect() {
      if (sources) this.set(await sources.schedulerCount());
    },
  });
  new Gauge({
    name: "probe_config_consumer_lag",
    help: "Messages behind the end of the config topic, summed over this process's partitions",
    registers: [registry],
    collect() {
      let sum = 0;
      for (const lag of lagByPartition.values()) sum += lag;
      this.set(sum);
    },
  });

  return {
    registry,
    checks,
    latency,
    drift,
    rephased,
    jobs,
    configEvents,
    deadLetters,
    resyncs,
    resyncChanges,
    publishRejected,
    publishSent,
    setSources(s: MetricsSources) {
      sources = s;
    },
    recordLag(topic: string, partition: number, lag: number) {
      lagByPartition.set(`${topic}:${partition}`, lag);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
