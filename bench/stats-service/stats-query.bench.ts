/**
 * GET /stats p50/p99 (real HTTP on loopback) vs the naive query (COUNT ... GROUP BY over the raw tables) at growing
 * data sizes, up to 100,000 integrations and 10,000,000 checks. Data is seeded with SQL generate_series; the
 * tenant roll-ups and counters the API reads are derived from the seeded checks by SQL (same bucket layout as the
 * projection), so both sides answer the same question from the same data.
 *
 *   node bench/stats-service/stats-query.bench.ts            # steps 10k/1M, 40k/4M, 100k/10M
 *   BENCH_STEPS=2000:200000 node bench/stats-service/stats-query.bench.ts
 */
import { randomBytes } from "node:crypto";
import { IntegrationType } from "@hip/contracts";
import pg from "pg";
import { buildApp } from "../../services/stats-service/src/app.ts";
import { TrafficMetrics } from "../../services/stats-service/src/metrics/traffic-metrics.ts";
import { migrateStats } from "../../services/stats-service/src/db/migrate.ts";
import { BUCKETS, GROWTH } from "../../services/stats-service/src/domain/histogram.ts";
import { StreamHub } from "../../services/stats-service/src/domain/stream/hub.ts";
import { loadEnv } from "../../services/stats-service/src/env.ts";
import { StatsMetrics } from "../../services/stats-service/src/metrics/metrics.ts";
import { logger, token } from "../../services/stats-service/test/support.ts";

const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const TENANTS = 20;
const TYPES = IntegrationType.options;
const STATUSES = ["ACTIVE", "ACTIVE", "ACTIVE", "INACTIVE", "ERROR", "TESTING"];
const steps = (process.env.BENCH_STEPS ?? "10000:1000000,40000:4000000,100000:10000000")
  .split(",")
  .map((s) => s.split(":").map(Number) as [number, number]);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(1, Math.ceil(p * s.length)) - 1] ?? Number.NaN;
};
const ms = (n: number) => `${n.toFixed(2)} ms`;

const dbName = `statsbench_${randomBytes(3).toString("hex")}`;
const admin = new pg.Client({ connectionString: ADMIN_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${dbName}"`);
const url = new URL(ADMIN_URL);
url.pathname = `/${dbName}`;
await migrateStats(url.toString());
const pool = new pg.Pool({ connectionString: url.toString(), max: 10 });
pool.on("error", () => undefined);
const c = await pool.connect();

const env = loadEnv({ NODE_ENV: "test", LOG_LEVEL: "warn", RATE_LIMIT_MAX: "100000000" });
const metrics = new StatsMetrics({ defaultMetrics: false });
const app = await buildApp({
  env,
  logger,
  pool,
  metrics,
  hub: new StreamHub(10),
  traffic: { metrics: new TrafficMetrics(metrics.registry) },
  // In-memory rate limit, effectively off: the bench measures queries, not the limiter.
  redis: null,
});
await app.listen({ host: "127.0.0.1", port: 0 });
const addr = app.server.address();
const port = addr && typeof addr !== "string" ? addr.port : 0;
const auth = { authorization: `Bearer ${token({ tenantId: "tenant-0", roles: ["viewer"] })}` };

// Same bucket index as src/domain/histogram.ts (float edges may differ by one bucket: irrelevant for timing).
const bucketExpr = `CASE WHEN latency_ms <= 1 THEN 0 ELSE least(ceil(ln(latency_ms) / ln(${GROWTH}))::int, ${BUCKETS - 1}) END`;
await c.query(`CREATE OR REPLACE FUNCTION pg_temp.dense(idx int[], cnt int[]) RETURNS int[] LANGUAGE plpgsql AS $$
  DECLARE r int[] := array_fill(0, ARRAY[${BUCKETS}]); k int;
  BEGIN FOR k IN 1..coalesce(array_length(idx, 1), 0) LOOP r[idx[k] + 1] := r[idx[k] + 1] + cnt[k]; END LOOP;
  RETURN r; END $$`);

let haveIntegrations = 0;
let haveChecks = 0;
const NAIVE = [
  `SELECT status, type, count(*) FROM stats.integrations WHERE tenant_id = $1 AND known AND deleted_at IS NULL GROUP BY 1, 2`,
  `SELECT count(*), sum(success::int), avg(latency_ms), percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms),
          max(checked_at) FILTER (WHERE success)
   FROM stats.checks WHERE tenant_id = $1 AND checked_at >= now() - interval '24 hours'`,
];

console.log(`stats-query bench: ${TENANTS} tenants, asking for tenant-0; database ${dbName}`);
console.log(
  "integrations | checks     | GET /stats p50 | p99       | naive p50   | p99         | ratio p50 | ratio p99",
);
for (const [integrations, checks] of steps) {
  const t0 = Date.now();
  await c.query(
    `INSERT INTO stats.integrations (integration_id, tenant_id, known, name, type, status, status_since)
     SELECT md5('i' || g)::uuid, 'tenant-' || (g % ${TENANTS}), true, 'integration ' || g,
            (ARRAY['${TYPES.join("','")}'])[1 + g % ${TYPES.length}],
            (ARRAY['${STATUSES.join("','")}'])[1 + (g / 7) % ${STATUSES.length}], now()
     FROM generate_series($1::int, $2::int) g`,
    [haveIntegrations, integrations - 1],
  );
  // Checks spread over the last 7 days (raw retention), ~8 % failures, log-normal-ish latencies.
  await c.query(
    `INSERT INTO stats.checks (event_id, integration_id, tenant_id, type, checked_at, success, latency_ms, trigger)
     SELECT md5('c' || g)::uuid, md5('i' || (g % $3))::uuid, 'tenant-' || ((g % $3) % ${TENANTS}),
            (ARRAY['${TYPES.join("','")}'])[1 + (g % $3) % ${TYPES.length}],
            now() - (random() * interval '7 days'), random() > 0.08, round((exp(2 + random() * 5))::numeric, 2),
            'scheduled'
     FROM generate_series($1::bigint, $2::bigint) g`,
    [haveChecks, checks - 1, integrations],
  );
  haveIntegrations = integrations;
  haveChecks = checks;
  // What the projection maintains incrementally, derived here in bulk.
  await c.query(
    "TRUNCATE stats.tenant_counts, stats.tenant_state, stats.tenant_rollup_minute, stats.tenant_rollup_hour",
  );
  await c.query(`INSERT INTO stats.tenant_counts SELECT tenant_id, status, type, count(*) FROM stats.integrations
                 WHERE known AND deleted_at IS NULL GROUP BY 1, 2, 3`);
  await c.query(
    `INSERT INTO stats.tenant_state SELECT tenant_id, max(checked_at) FROM stats.checks WHERE success GROUP BY 1`,
  );
  for (const [table, grain, since] of [
    ["tenant_rollup_hour", "hour", "8 days"],
    ["tenant_rollup_minute", "minute", "25 hours"],
  ] as const) {
    await c.query(
      `INSERT INTO stats.${table} (tenant_id, type, bucket, count, successes, failures, latency_sum, latency_max, hist)
       SELECT tenant_id, type, b, sum(n), sum(s), sum(n) - sum(s), sum(ls), max(mx), pg_temp.dense(array_agg(i), array_agg(n::int))
       FROM (SELECT tenant_id, type, date_trunc('${grain}', checked_at) b, ${bucketExpr} i, count(*) n,
                    sum(success::int) s, sum(latency_ms) ls, max(latency_ms) mx
             FROM stats.checks WHERE checked_at >= now() - interval '${since}' GROUP BY 1, 2, 3, 4) x
       GROUP BY 1, 2, 3`,
    );
  }
  await c.query("ANALYZE");
  const seedS = (Date.now() - t0) / 1000;

  const api: number[] = [];
  for (let i = 0; i < 320; i++) {
    const s = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/api/integration/stats`, { headers: auth });
    await res.text();
    if (res.status !== 200) throw new Error(`GET /stats answered ${res.status}`);
    if (i >= 20) api.push(performance.now() - s);
  }
  const naive: number[] = [];
  for (let i = 0; i < 7; i++) {
    const s = performance.now();
    for (const q of NAIVE) await c.query(q, ["tenant-0"]);
    if (i >= 1) naive.push(performance.now() - s);
  }
  const [a50, a99, n50, n99] = [pct(api, 0.5), pct(api, 0.99), pct(naive, 0.5), pct(naive, 0.99)];
  console.log(
    `${String(integrations).padStart(12)} | ${String(checks).padEnd(10)} | ${ms(a50).padStart(14)} | ${ms(a99).padStart(9)} | ` +
      `${ms(n50).padStart(11)} | ${ms(n99).padStart(11)} | ${(n50 / a50).toFixed(0).padStart(8)}x | ${(n99 / a99).toFixed(0).padStart(8)}x` +
      `   (seeded in ${seedS.toFixed(0)} s)`,
  );
}

c.release();
await app.close();
await pool.end();
if (process.env.BENCH_KEEP_DB !== "1") await admin.query(`DROP DATABASE "${dbName}" WITH (FORCE)`);
await admin.end();
