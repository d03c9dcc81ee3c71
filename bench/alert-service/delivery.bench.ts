/**
 * Status change -> receiver 2xx, over the real system on loopback: 1,000 integrations of one tenant turn ERROR
 * within a few seconds (integration.status_changed produced to Kafka in the exact contract shape), one WEBHOOK
 * channel, two alert-service replicas (real processes: consumers, dispatcher, BullMQ workers, outbox relay).
 * Prints p50/p95/p99 of (receiver's 2xx answer time - status change event time), lost and duplicate keys.
 *
 *   source scripts/test-env.sh && node bench/alert-service/delivery.bench.ts
 *   BENCH_INTEGRATIONS=1000 BENCH_SPREAD_MS=3000 BENCH_REPLICAS=2 node bench/alert-service/delivery.bench.ts
 */
import { topicNames } from "@hip/contracts";
import { type RunningService, startService } from "@hip/testkit";
import pg from "pg";
import { startReceiver } from "../../services/alert-service/test/receivers.ts";
import {
  FakeIntegration,
  kafkaFor,
  testEnv,
  token,
  waitFor,
} from "../../services/alert-service/test/support.ts";

const N = Number(process.env.BENCH_INTEGRATIONS ?? 1000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_MS ?? 3000);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 2);
const API = "/api/integration/alerts";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1] ?? Number.NaN;
};

const firstOk = new Map<string, number>();
const perKey = new Map<string, number>();
const hook = await startReceiver((req) => {
  const key = String(req.headers["idempotency-key"]);
  perKey.set(key, (perKey.get(key) ?? 0) + 1);
  if (!firstOk.has(key)) firstOk.set(key, Date.now());
  return { status: 204 };
});
const env = await testEnv({
  LOG_LEVEL: "warn",
  ALERT_RETRY_BASE_MS: "1000",
  ALERT_RETRY_MAX_MS: "30000",
  ALERT_DELIVERY_CONCURRENCY: "50",
  DATABASE_POOL_MAX: "5",
});
const topics = topicNames(env.source.KAFKA_TOPIC_PREFIX);
const db = new pg.Client({ connectionString: env.source.DATABASE_URL });
await db.connect();
const kafka = await kafkaFor(topics);
const replicas: RunningService[] = [];
try {
  for (let i = 0; i < REPLICAS; i++)
    replicas.push(await startService({ name: "alert-service", env: env.source }));
  const first = replicas[0];
  if (!first) throw new Error("no replica");
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${first.url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token("bench")}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const ch = await call(`${API}/channels`, {
    name: "bench hook",
    type: "WEBHOOK",
    config: { url: `${hook.url}/h`, secret: "bench-secret-0123456789" },
  });
  await call(`${API}/policies`, { name: "all", integrations: { scope: "all" }, channelIds: [ch.id] });

  const labs = Array.from(
    { length: N },
    (_, i) => new FakeIntegration("bench", `Integration ${i}`, "LAB_SYSTEM"),
  );
  for (let i = 0; i < N; i += 200)
    await kafka.publish(
      topics.config,
      labs.slice(i, i + 200).map((l) => l.created()),
    );
  await waitFor(
    async () =>
      Number(
        (await db.query("select count(*)::int as n from alerts.integrations where name is not null")).rows[0]
          ?.n,
      ) === N,
    { what: "projection of the created integrations", timeoutMs: 120_000, intervalMs: 250 },
  );

  // The wave: N status changes to ERROR spread over SPREAD_MS, each stamped when produced.
  const batch = 50;
  const started = Date.now();
  for (let i = 0; i < N; i += batch) {
    const due = started + (SPREAD_MS * i) / N;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await kafka.publish(
      topics.status,
      labs.slice(i, i + batch).map((l) => l.statusChanged("ERROR")),
    );
  }
  const produced = Date.now() - started;
  await waitFor(() => firstOk.size >= N, {
    what: `${N} deliveries`,
    timeoutMs: 300_000,
    intervalMs: 200,
  }).catch(() => undefined);
  // Give stragglers (duplicates) a moment to show up before counting.
  await new Promise((r) => setTimeout(r, 3000));

  const rows = (await db.query<{ id: string; opened_at: Date }>("select id, opened_at from alerts.incidents"))
    .rows;
  const latencies: number[] = [];
  for (const r of rows) {
    const at = firstOk.get(`${r.id}:opened`);
    if (at !== undefined) latencies.push(at - r.opened_at.getTime());
  }
  const succeeded = Number(
    (await db.query("select count(*)::int as n from alerts.deliveries where state = 'succeeded'")).rows[0]?.n,
  );
  const duplicates = [...perKey.values()].filter((n) => n > 1).length;
  // Where the time goes: event -> delivery row committed (consumer), -> enqueued (dispatcher), -> attempt started
  // (queue wait), -> success recorded (send + record).
  const stages = (
    await db.query<Record<string, number>>(`
      select
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from created_at - origin_at) * 1000) as consume,
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from enqueued_at - created_at) * 1000) as dispatch,
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from last_attempt_at - enqueued_at) * 1000) as queue,
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from succeeded_at - last_attempt_at) * 1000) as send
      from alerts.deliveries where state = 'succeeded'`)
  ).rows[0];
  const figures = {
    integrations: N,
    replicas: REPLICAS,
    producedInMs: produced,
    incidents: rows.length,
    received: firstOk.size,
    succeededRows: succeeded,
    lost: N - firstOk.size,
    duplicateKeys: duplicates,
    latencyMs: {
      p50: pct(latencies, 0.5),
      p95: pct(latencies, 0.95),
      p99: pct(latencies, 0.99),
      max: Math.max(...latencies),
    },
    firstToLastMs: Math.max(...firstOk.values()) - started,
    stagesMsP50P95: stages,
  };
  console.log(JSON.stringify(figures, null, 2));
  console.log(
    `status_changed -> receiver 2xx: p50 ${figures.latencyMs.p50} ms, p95 ${figures.latencyMs.p95} ms, ` +
      `p99 ${figures.latencyMs.p99} ms (goal p95 <= 5000, p99 <= 10000); lost ${figures.lost}, duplicate keys ${duplicates}`,
  );
} finally {
  for (const r of replicas) await r.stop(10_000).catch(() => undefined);
  await kafka.close();
  await db.end();
  await hook.close();
  await env.database?.drop();
}
