/**
 * Traffic ingest over real Kafka + Postgres + HTTP (loopback), the issue-14 load: 1,000 integrations reporting every
 * 10 s through `integration.traffic.v1` and 200 through `POST /api/integration/traffic` (batches of 20 per second,
 * two tenants), all with expectations so the detector ticks (every 5 s here) over 1,200 judged integrations.
 * Prints ingest-to-read-model lag (Kafka: CloudEvent time -> batch committed; HTTP: request -> 200, committed),
 * p50/p99, the stored events/s, detector tick time, then a catch-up run of a Kafka backlog.
 *
 *   node bench/traffic/ingest.bench.ts
 *   BENCH_SECONDS=60 BENCH_KAFKA=1000 BENCH_HTTP=200 BENCH_BACKLOG=100000 node bench/traffic/ingest.bench.ts
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { IntegrationTrafficReported } from "@hip/contracts";
import { EventBus } from "@hip/events";
import { createLogger, DEV_JWT_SECRET, shutdownRegistryFor, signHs256 } from "@hip/service-kit";
import pg from "pg";
import { migrateStats } from "../../services/stats-service/src/db/migrate.ts";
import { loadEnv } from "../../services/stats-service/src/env.ts";
import { createRuntime } from "../../services/stats-service/src/runtime.ts";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BROKERS = process.env.BENCH_KAFKA_BROKERS ?? "127.0.0.1:9092";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const KAFKA_N = Number(process.env.BENCH_KAFKA ?? 1000);
const HTTP_N = Number(process.env.BENCH_HTTP ?? 200);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 100_000);
const PERIOD_MS = 10_000;
const TYPES = ["HL7", "FHIR", "LAB_SYSTEM", "API", "PHARMACY_SYSTEM"] as const;
const logger = createLogger({ name: "traffic-bench", level: "silent" });

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1] ?? Number.NaN;
};

const dbName = `trafficbench_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(ADMIN_URL);
url.pathname = `/${dbName}`;
await migrateStats(url.toString());
const prefix = `tbench${Date.now().toString(36)}${randomBytes(2).toString("hex")}.`;

// 1,200 integrations known to the read model, with fixed expectations (the detector judges every one).
const kafkaSpecs = Array.from({ length: KAFKA_N }, (_, i) => ({
  id: randomUUID(),
  tenantId: `tenant-${i % 10}`,
  i,
}));
const httpSpecs = Array.from({ length: HTTP_N }, (_, i) => ({
  id: randomUUID(),
  tenantId: `http-${i % 2}`,
  i,
}));
const seedPool = new pg.Pool({ connectionString: url.toString(), max: 2 });
const all = [...kafkaSpecs, ...httpSpecs];
await seedPool.query(
  `INSERT INTO stats.integrations (integration_id, tenant_id, known, name, type, status)
   SELECT id, tenant, true, 'bench ' || id, type, 'ACTIVE' FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(id, tenant, type)`,
  [all.map((s) => s.id), all.map((s) => s.tenantId), all.map((s) => TYPES[s.i % TYPES.length] ?? "API")],
);
await seedPool.query(
  `INSERT INTO stats.traffic_state (integration_id, tenant_id, expectations, expectations_seq)
   SELECT id, tenant, '{"mode":"fixed","silenceMinutes":10,"maxErrorRatePercent":5,"maxQueuedAgeSeconds":600}'::jsonb, 1
   FROM unnest($1::uuid[], $2::text[]) AS t(id, tenant)`,
  [all.map((s) => s.id), all.map((s) => s.tenantId)],
);
await seedPool.end();

const kafkaLag: number[] = [];
const httpLag: number[] = [];
let measuring = false;
let storedKafka = 0;
const env = loadEnv({
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  DATABASE_URL: url.toString(),
  KAFKA_BROKERS: BROKERS,
  KAFKA_TOPIC_PREFIX: prefix,
  // Rate-limit counters under the bench's own prefix (HTTP reporters use service tokens: exempt anyway).
  REDIS_PREFIX: prefix,
  TRAFFIC_TICK_MS: "5000",
});
const runtime = await createRuntime(env, logger, {
  onTrafficStored: ({ stored, events }) => {
    const now = Date.now();
    storedKafka += stored;
    if (measuring) for (const e of events) if (e.time) kafkaLag.push(now - Date.parse(e.time));
  },
});
await runtime.app.listen({ host: "127.0.0.1", port: 0 });
await runtime.start();
const addr = runtime.app.server.address();
const port = addr && typeof addr !== "string" ? addr.port : 0;
const tokens = new Map(
  ["http-0", "http-1"].map((t) => [
    t,
    signHs256({ sub: `engine-${t}`, tenantId: t, roles: ["service"] }, DEV_JWT_SECRET, { ttlSeconds: 3600 }),
  ]),
);

const bus = new EventBus({ brokers: BROKERS.split(","), clientId: "traffic-bench", logger });
const producer = await bus.producer();
const topic = `${prefix}integration.traffic.v1`;
const report = (id: string, windowStart: number) => ({
  integrationId: id,
  windowStart: new Date(windowStart).toISOString(),
  windowSeconds: 10,
  received: 20,
  filtered: 1,
  sent: 19,
  errored: 0,
  queued: 2,
  oldestQueuedAgeSeconds: 3,
  acks: { AA: 19 },
});
const event = (
  s: { id: string; tenantId: string },
  windowStart: number,
  source = "/bench/engine",
): IntegrationTrafficReported => ({
  specversion: "1.0",
  id: randomUUID(),
  source,
  type: "integration.traffic_reported",
  time: new Date().toISOString(),
  subject: s.id,
  tenantid: s.tenantId,
  datacontenttype: "application/json",
  data: report(s.id, windowStart),
});

/** Every 100 ms: a tenth of the Kafka integrations; every second: 20 HTTP reports (a tenth of the HTTP ones). */
/** Continues across calls, so each integration reports once per 10 s window (warm-up included): no duplicates. */
let slot = 0;
async function steady(seconds: number) {
  const end = Date.now() + seconds * 1000;
  const pending: Promise<unknown>[] = [];
  while (Date.now() < end) {
    const t0 = Date.now();
    const window = Math.floor(t0 / PERIOD_MS) * PERIOD_MS;
    const part = slot % 100;
    const batch = kafkaSpecs.filter((s) => s.i % 100 === part);
    pending.push(
      producer.send(
        topic,
        batch.map((s) => ({ key: s.id, value: event(s, window) })),
      ),
    );
    if (slot % 10 === 0) {
      const tenth = (slot / 10) % 10;
      const chosen = httpSpecs.filter((s) => s.i % 10 === tenth);
      for (const tenant of ["http-0", "http-1"]) {
        const reports = chosen.filter((s) => s.tenantId === tenant).map((s) => report(s.id, window));
        if (reports.length === 0) continue;
        const started = Date.now();
        pending.push(
          fetch(`http://127.0.0.1:${port}/api/integration/traffic`, {
            method: "POST",
            headers: { authorization: `Bearer ${tokens.get(tenant)}`, "content-type": "application/json" },
            body: JSON.stringify({ reports }),
          }).then(async (res) => {
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`POST /traffic ${res.status}`);
            if (measuring) httpLag.push(Date.now() - started);
          }),
        );
      }
    }
    slot++;
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - t0))));
  }
  await Promise.all(pending);
}

await steady(5); // warm-up: consumer group joined, pools filled
measuring = true;
const before = storedKafka;
const startedAt = Date.now();
await steady(SECONDS);
const elapsed = (Date.now() - startedAt) / 1000;
await new Promise((r) => setTimeout(r, 3000));
measuring = false;
const metrics = (await runtime.app.inject({ method: "GET", url: "/metrics" })).body;
const tickCount = Number(/hip_traffic_detector_tick_seconds_count (\d+)/.exec(metrics)?.[1] ?? 0);
const tickSum = Number(/hip_traffic_detector_tick_seconds_sum ([\d.e-]+)/.exec(metrics)?.[1] ?? 0);
const storedHttp = httpLag.length;
console.log(
  `steady ${elapsed.toFixed(0)} s: ${KAFKA_N} integrations via Kafka + ${HTTP_N} via HTTP, every ${PERIOD_MS / 1000} s`,
);
console.log(
  `  Kafka report -> read model: p50 ${pct(kafkaLag, 0.5)} ms, p99 ${pct(kafkaLag, 0.99)} ms, max ${pct(kafkaLag, 1)} ms (${kafkaLag.length} reports)`,
);
console.log(
  `  HTTP POST (20 reports) -> 200 committed: p50 ${pct(httpLag, 0.5)} ms, p99 ${pct(httpLag, 0.99)} ms (${storedHttp} requests)`,
);
console.log(
  `  stored ${((storedKafka - before) / elapsed).toFixed(0)} Kafka reports/s + ${((storedHttp * 20) / elapsed).toFixed(0)} HTTP reports/s`,
);
console.log(
  `  detector: ${tickCount} ticks over ${all.length} judged integrations, mean ${((tickSum / Math.max(1, tickCount)) * 1000).toFixed(0)} ms`,
);

if (BACKLOG > 0) {
  // Catch-up: stop the runtime, publish a backlog, start a fresh one and time how fast it drains.
  await shutdownRegistryFor(runtime, logger).shutdown("bench");
  const window = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS;
  for (let sent = 0; sent < BACKLOG; sent += 5000) {
    const msgs = Array.from({ length: Math.min(5000, BACKLOG - sent) }, (_, j) => {
      const n = sent + j;
      const s = kafkaSpecs[n % kafkaSpecs.length] ?? kafkaSpecs[0];
      if (!s) throw new Error("no integrations");
      // distinct windows so every report is new: one second apart per round over the integrations
      return {
        key: s.id,
        value: event(s, window - 1000 * Math.floor(n / kafkaSpecs.length), "/bench/backlog"),
      };
    });
    await producer.send(topic, msgs);
  }
  let drained = 0;
  const catchUp = await createRuntime(env, logger, {
    onTrafficStored: ({ stored }) => {
      drained += stored;
    },
  });
  const t0 = Date.now();
  await catchUp.start();
  while (drained < BACKLOG && Date.now() - t0 < 600_000) await new Promise((r) => setTimeout(r, 200));
  const secs = (Date.now() - t0) / 1000;
  console.log(
    `catch-up: ${drained.toLocaleString("en")} backlog reports in ${secs.toFixed(1)} s = ${(drained / secs).toFixed(0)} reports/s`,
  );
  await shutdownRegistryFor(catchUp, logger).shutdown("bench");
} else {
  await shutdownRegistryFor(runtime, logger).shutdown("bench");
}
await bus.close();
await admin.query(`DROP DATABASE "${dbName}" WITH (FORCE)`);
await admin.end();
