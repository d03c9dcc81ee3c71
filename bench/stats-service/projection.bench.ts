/**
 * Projection throughput over real Kafka + Postgres (loopback), two figures:
 *  1. event-to-read-model latency p50/p99 at a steady 1,000 events/s (event time -> batch committed);
 *  2. catch-up rate draining a backlog of 1,000,000 events published before the consumer starts.
 * Events: ~94 % probe results, the rest updates and status flips, over 2,000 integrations in 20 tenants.
 *
 *   node bench/stats-service/projection.bench.ts
 *   BENCH_RATE=1000 BENCH_SECONDS=30 BENCH_BACKLOG=1000000 BENCH_PARTITIONS=4 node bench/stats-service/projection.bench.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { AnyEvent } from "@hip/contracts";
import { EventBus } from "@hip/events";
import pg from "pg";
import { createProjectionConsumer } from "../../services/stats-service/src/consumers/projection.consumer.ts";
import { migrateStats } from "../../services/stats-service/src/db/migrate.ts";
import { StatsMetrics } from "../../services/stats-service/src/metrics/metrics.ts";
import { ev, logger, RETENTION, type Spec } from "../../services/stats-service/test/support.ts";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BROKERS = (process.env.BENCH_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 1_000_000);
/** Partitions the projection applies at once (the service's PROJECTION_PARTITIONS_CONCURRENCY, default 4). */
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
const TYPES = ["HL7", "FHIR", "LAB_SYSTEM", "API", "WEBHOOK"] as const;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1] ?? Number.NaN;
};

const specs: Spec[] = Array.from({ length: 2000 }, (_, i) => ({
  id: randomUUID(),
  tenantId: `tenant-${i % 20}`,
  name: `integration ${i}`,
  type: TYPES[i % TYPES.length] ?? "API",
  status: "ACTIVE",
}));
const seq = new Map<string, number>();
const next = (id: string) => {
  const n = (seq.get(id) ?? 1) + 1;
  seq.set(id, n);
  return n;
};
let k = 0;
function makeEvent(at: Date): AnyEvent {
  const s = specs[k++ % specs.length] as Spec;
  const r = k % 50;
  if (r === 0) return ev.updated({ ...s, name: `${s.name} v${k}` }, next(s.id), ["name"], at);
  if (r === 1 || r === 2) return ev.statusChanged(s, next(s.id), "ACTIVE", r === 1 ? "ERROR" : "ACTIVE", at);
  return ev.probe(s, k, { success: k % 13 !== 0, latencyMs: 5 + (k % 400), checkedAt: at });
}
const topicOf = (e: AnyEvent) => (e.type === "integration.updated" ? "config" : "status");

async function setup(label: string) {
  const dbName = `statsbench_${label}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${dbName}`;
  await migrateStats(url.toString());
  const pool = new pg.Pool({ connectionString: url.toString(), max: 5 });
  pool.on("error", () => undefined);
  const prefix = `bench${Date.now().toString(36)}${randomBytes(2).toString("hex")}.`;
  const bus = new EventBus({ brokers: BROKERS, clientId: "stats-bench", logger });
  const topics = { config: `${prefix}integration.config.v1`, status: `${prefix}integration.status.v1` };
  await bus.ensureTopics([
    { topic: topics.config, partitions: 6 },
    { topic: topics.status, partitions: 6 },
    { topic: `${prefix}integration.deadletter.v1`, partitions: 1 },
  ]);
  const producer = await bus.producer();
  const send = async (events: AnyEvent[]) => {
    const by = { config: [] as AnyEvent[], status: [] as AnyEvent[] };
    for (const e of events) by[topicOf(e)].push(e);
    await producer.sendBatch([
      { topic: topics.config, messages: by.config.map((e) => ({ key: e.subject, value: e })) },
      { topic: topics.status, messages: by.status.map((e) => ({ key: e.subject, value: e })) },
    ]);
  };
  // Every integration exists before the measured traffic.
  await send(specs.map((s) => ev.created(s, 1)));
  return {
    pool,
    prefix,
    bus,
    send,
    async close() {
      await bus.close();
      await pool.end();
      await admin.query(`DROP DATABASE "${dbName}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function latencyRun() {
  const env = await setup("lat");
  const delays: number[] = [];
  let measuring = false;
  const metrics = new StatsMetrics({ defaultMetrics: false });
  const consumer = await createProjectionConsumer({
    bus: env.bus,
    pool: env.pool,
    metrics,
    logger,
    topicPrefix: env.prefix,
    retention: RETENTION,
    partitionsConcurrently: PARTITIONS,
    onApplied: ({ events }) => {
      const now = Date.now();
      if (measuring) for (const e of events) delays.push(now - Date.parse(e.time));
    },
  });
  await consumer.start();
  await new Promise((r) => setTimeout(r, 5000));
  measuring = true;
  const tickMs = 10;
  const perTick = Math.max(1, Math.round((RATE * tickMs) / 1000));
  const start = Date.now();
  let sent = 0;
  while (Date.now() - start < SECONDS * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * RATE);
    if (sent < due) {
      const batch = Array.from({ length: Math.min(due - sent, perTick * 5) }, () => makeEvent(new Date()));
      await env.send(batch);
      sent += batch.length;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const deadline = Date.now() + 30_000;
  while (delays.length < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.stop();
  const achieved = sent / SECONDS;
  console.log(
    `latency @ ${achieved.toFixed(0)} events/s for ${SECONDS} s (${sent} events, ${delays.length} applied): ` +
      `p50 ${pct(delays, 0.5)} ms, p99 ${pct(delays, 0.99)} ms, max ${Math.max(...delays)} ms (goal p99 < 200 ms)`,
  );
  const batches = (await metrics.batchDuration.get()).values;
  const n = batches.find((v) => v.metricName?.endsWith("_count"))?.value ?? 0;
  const sum = batches.find((v) => v.metricName?.endsWith("_sum"))?.value ?? 0;
  console.log(
    `  ${n} batch transactions, mean ${((sum / Math.max(n, 1)) * 1000).toFixed(1)} ms, mean ${(delays.length / Math.max(n, 1)).toFixed(0)} events per batch`,
  );
  await env.close();
}

async function catchUpRun() {
  const env = await setup("catchup");
  const t0 = Date.now();
  const chunk = 5000;
  for (let i = 0; i < BACKLOG; i += chunk) {
    const at = new Date();
    await env.send(Array.from({ length: Math.min(chunk, BACKLOG - i) }, () => makeEvent(at)));
  }
  console.log(`backlog: published ${BACKLOG} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  let applied = 0;
  const consumer = await createProjectionConsumer({
    bus: env.bus,
    pool: env.pool,
    metrics: new StatsMetrics({ defaultMetrics: false }),
    logger,
    topicPrefix: env.prefix,
    retention: RETENTION,
    partitionsConcurrently: PARTITIONS,
    onApplied: (i) => {
      applied += i.applied;
    },
  });
  const target = BACKLOG + specs.length;
  const start = Date.now();
  await consumer.start();
  let last = Date.now();
  while (applied < target) {
    await new Promise((r) => setTimeout(r, 200));
    if (Date.now() - last > 10_000) {
      console.log(
        `  ... ${applied} applied, ${((applied / (Date.now() - start)) * 1000).toFixed(0)} events/s`,
      );
      last = Date.now();
    }
  }
  const seconds = (Date.now() - start) / 1000;
  await consumer.stop();
  console.log(
    `catch-up: drained ${applied} events in ${seconds.toFixed(1)} s = ${(applied / seconds).toFixed(0)} events/s ` +
      "(goal >= 5,000 events/s; includes consumer group join)",
  );
  await env.close();
}

if (process.env.BENCH_ONLY !== "catchup") await latencyRun();
if (process.env.BENCH_ONLY !== "latency") await catchUpRun();
