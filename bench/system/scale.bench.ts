/**
 * Whole-system probing benchmark (issue 13): the real config-service, stats-service and probe-worker processes,
 * a private Kafka broker, the shared PostgreSQL and Redis, a loopback HTTP peer. Prints figures; asserts nothing.
 *
 *   source scripts/toolchain.sh && node bench/system/scale.bench.ts
 *   BENCH_INTEGRATIONS=3000 BENCH_TENANTS=10 BENCH_INTERVAL=10 BENCH_MEASURE_SECONDS=40 node bench/system/scale.bench.ts
 *
 * Knobs (env): BENCH_INTEGRATIONS (100000), BENCH_TENANTS (100), BENCH_INTERVAL (60 s), BENCH_WORKERS (1),
 * BENCH_WARMUP_SECONDS (interval + 15), BENCH_MEASURE_SECONDS (300), BENCH_API_RPS (20), BENCH_SECRET_SHARE (0.1),
 * BENCH_WORKER_ENV / BENCH_CONFIG_ENV / BENCH_STATS_ENV (JSON objects of extra env), BENCH_FAIRNESS (0),
 * BENCH_BLACKHOLE_INTEGRATIONS (1000), BENCH_TEST_RPS (1 in the fairness run, else 0), BENCH_SEED_ONLY (0),
 * BENCH_CPU_HOGS (0: busy-loop processes competing for the CPU from the start, a slower or shared machine),
 * BENCH_REDIS_URL (redis://127.0.0.1:6379/11), BENCH_POSTGRES_URL (TEST_POSTGRES_URL or
 * postgres://postgres@127.0.0.1:5432/postgres), BENCH_KEEP_LOGS (0).
 * Depends only on the services' public behaviour: env, HTTP, Kafka events, /metrics text and /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import { freePort, PrivateKafka } from "@hip/testkit";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { parseKeyRing } from "../../libs/secrets/src/index.ts";
import { runMigrations as migrateConfig } from "../../services/config-service/src/db/migrate.ts";
import { runMigrations as migrateAlerts } from "../../services/alert-service/src/db/migrate.ts";
import { migrateStats } from "../../services/stats-service/src/db/migrate.ts";
import { histogramBuckets, histogramWindow, metricSum, pct, summary } from "./figures.ts";
import {
  type Child,
  logTail,
  type Peer,
  startPeer,
  startService,
  stopChild,
  stopPid,
  waitReady,
} from "./processes.ts";
import {
  CLK_TCK,
  loadAverage,
  machineTicks,
  postgresCpu,
  postgresSnapshot,
  procMemory,
  procTimes,
} from "./procstat.ts";
import { sampleIntegrations, seedSystem } from "./seed.ts";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  return v === undefined || v === "" ? fallback : Number(v);
};
const jsonEnv = (name: string): Record<string, string> => {
  const v = process.env[name];
  if (!v) return {};
  const parsed = JSON.parse(v) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(parsed).map(([k, x]) => [k, String(x)]));
};

const N = num("BENCH_INTEGRATIONS", 100_000);
const TENANTS = num("BENCH_TENANTS", 100);
const INTERVAL = num("BENCH_INTERVAL", 60);
const WORKERS = num("BENCH_WORKERS", 1);
const WARMUP_S = num("BENCH_WARMUP_SECONDS", INTERVAL + 15);
const MEASURE_S = num("BENCH_MEASURE_SECONDS", 300);
const API_RPS = num("BENCH_API_RPS", 20);
const SECRET_SHARE = num("BENCH_SECRET_SHARE", 0.1);
const FAIRNESS = process.env.BENCH_FAIRNESS === "1";
const BLACKHOLE_N = FAIRNESS ? num("BENCH_BLACKHOLE_INTEGRATIONS", 1000) : 0;
const TEST_RPS = num("BENCH_TEST_RPS", FAIRNESS ? 1 : 0);
const CPU_HOGS = num("BENCH_CPU_HOGS", 0);
const SEED_ONLY = process.env.BENCH_SEED_ONLY === "1";
const ALERTS = process.env.BENCH_ALERTS === "1";
const KEEP_LOGS = process.env.BENCH_KEEP_LOGS === "1";
const WORKER_ENV = jsonEnv("BENCH_WORKER_ENV");
const CONFIG_ENV = jsonEnv("BENCH_CONFIG_ENV");
const STATS_ENV = jsonEnv("BENCH_STATS_ENV");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/11";
const PG_ADMIN =
  process.env.BENCH_POSTGRES_URL ??
  process.env.TEST_POSTGRES_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";
const BLACKHOLE_TENANT = "bench-blackhole";
const API = "/api/integration";

const runId = `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
const prefix = `sysbench${runId}`;
const topicPrefix = `${prefix}.`;
const statusTopic = `${topicPrefix}integration.status.v1`;
const dbNames = {
  config: `hip_sysbench_config_${runId}`,
  stats: `hip_sysbench_stats_${runId}`,
  alerts: `hip_sysbench_alerts_${runId}`,
};
const dbUrl = (name: string) => {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
};
const credentialsKeys = `bench1:${randomBytes(32).toString("base64")}`;
const logDir = mkdtempSync(join(tmpdir(), "hip-sysbench-"));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) =>
  process.stderr.write(`[sysbench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (x: number, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

// --- everything we start, for the cleanup --------------------------------------------------------------------
const children: Child[] = [];
let peer: Peer | null = null;
/** BENCH_CPU_HOGS busy loops (not counted anywhere): a slower or shared machine, the same for any code compared. */
const hogs: ChildProcess[] = [];
let kafka: PrivateKafka | null = null;
let kafkaPid: number | null = null;
const createdDbs: string[] = [];
let consumer: ReturnType<Kafka["consumer"]> | null = null;
let cleaning: Promise<void> | null = null;
const stoppers: Array<() => void> = [];

async function cleanup(): Promise<void> {
  if (cleaning) return cleaning;
  cleaning = (async () => {
    for (const s of stoppers) s();
    for (const h of hogs) h.kill("SIGKILL");
    await consumer?.disconnect().catch(() => undefined);
    // Workers first (they call config-service), then the services, then the peer.
    const order = [...children].sort(
      (a, b) => Number(b.name.startsWith("worker")) - Number(a.name.startsWith("worker")),
    );
    for (const c of order) await stopChild(c, 20_000).catch(() => undefined);
    if (peer) await stopPid(peer.pid, 5_000);
    // The broker runs in its own session (setsid): stop it by the pid deploy/kafka.sh wrote, even mid-start.
    if (!kafkaPid && kafka) {
      try {
        kafkaPid = Number(readFileSync(join(kafka.stateDir, "kafka.pid"), "utf8").trim()) || null;
      } catch {
        // never started
      }
    }
    if (kafkaPid) await stopPid(kafkaPid, 30_000);
    if (kafka) rmSync(kafka.stateDir, { recursive: true, force: true });
    if (createdDbs.length > 0) {
      const admin = new pg.Client({ connectionString: PG_ADMIN });
      await admin.connect();
      for (const db of createdDbs)
        await admin.query(`drop database if exists "${db}" with (force)`).catch(() => undefined);
      await admin.end();
    }
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    let cursor = "0";
    let removed = 0;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== "0");
    redis.disconnect();
    if (!KEEP_LOGS) rmSync(logDir, { recursive: true, force: true });
    log(
      `cleaned up: processes stopped, databases dropped, ${removed} Redis keys deleted${KEEP_LOGS ? `, logs kept in ${logDir}` : ""}`,
    );
  })();
  return cleaning;
}
/** Registers a started child; one started after an interrupt is stopped at once (the cleanup already ran). */
function track(child: Child): void {
  children.push(child);
  if (cleaning) {
    void stopChild(child);
    throw new Error("interrupted");
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    log(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// --- helpers --------------------------------------------------------------------------------------------------
const redisAdmin = new Redis(REDIS_URL);
const redisUsedMemory = async () =>
  Number(/used_memory:(\d+)/.exec(await redisAdmin.info("memory"))?.[1] ?? 0);
/** Bytes of this run's own keys (SCAN prefix*, MEMORY USAGE each): immune to other sessions on the shared Redis. */
const ownRedisBytes = async (): Promise<{ keys: number; bytes: number }> => {
  let cursor = "0";
  let keys = 0;
  let bytes = 0;
  do {
    const [next, batch] = await redisAdmin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redisAdmin.pipeline();
    for (const k of batch) pipeline.memory("USAGE", k, "SAMPLES", "0");
    for (const [, v] of (await pipeline.exec()) ?? []) bytes += Number(v ?? 0);
    keys += batch.length;
  } while (cursor !== "0");
  return { keys, bytes };
};
const redisPid = async () => {
  const pid = Number(/process_id:(\d+)/.exec(await redisAdmin.info("server"))?.[1] ?? 0);
  // A Redis in a container reports a pid of its own namespace: only trust it when /proc agrees.
  return procTimes(pid)?.comm.startsWith("redis") ? pid : null;
};
const scrape = async (url: string): Promise<string> => {
  const res = await fetch(`${url}/metrics`);
  return res.text();
};
const tokens = new Map<string, string>();
const tokenFor = (tenantId: string) => {
  let t = tokens.get(tenantId);
  if (!t) {
    t = signHs256({ sub: "sysbench", tenantId, roles: ["admin"] }, DEV_JWT_SECRET, { ttlSeconds: 86_400 });
    tokens.set(tenantId, t);
  }
  return t;
};

/** A fixed-rate loop (open loop: one call every 1/rps s whether or not the previous one answered). */
function everyRate(rps: number, fn: () => Promise<void>): { stop: () => Promise<void> } {
  if (rps <= 0) return { stop: async () => undefined };
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p = fn().catch(() => undefined);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, 1000 / rps);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

/** One sealed record's connection spec through the internal API: the seeded ciphertexts really decrypt. */
async function checkSealedSpec(configUrl: string, url: string): Promise<string> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const row = (
    await db.query<{ id: string }>(
      "select id from config.integrations where password_enc is not null limit 1",
    )
  ).rows[0];
  await db.end();
  if (!row) return "no sealed record";
  const token = signHs256({ sub: "sysbench", roles: ["service"] }, DEV_JWT_SECRET, { ttlSeconds: 300 });
  const res = await fetch(`${configUrl}/internal/integrations/${row.id}/connection-spec`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const spec = (await res.json()) as { password?: string | null; headers?: Record<string, string> };
  return res.status === 200 && spec.password && spec.headers?.["X-Bench-Token"]
    ? "ok"
    : `failed (${res.status})`;
}

// --- the run -------------------------------------------------------------------------------------------------
interface Check {
  checkedAt: number;
  drift: number;
  blackhole: boolean;
  success: boolean;
}

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  for (let i = 0; i < CPU_HOGS; i++)
    hogs.push(spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }));
  log(
    `run ${runId}: ${N} integrations / ${TENANTS} tenants at ${INTERVAL} s, ${WORKERS} worker(s), logs in ${logDir}`,
  );

  // 1. Stores: a private broker; two fresh databases; a key prefix on the shared Redis.
  const privateKafka = await PrivateKafka.create();
  kafka = privateKafka;
  // Started while the databases are made and seeded; not at all for BENCH_SEED_ONLY.
  if (!SEED_ONLY) log(`starting a private Kafka broker on 127.0.0.1:${privateKafka.port}`);
  const kafkaStarting = SEED_ONLY ? Promise.resolve() : privateKafka.start();
  kafkaStarting.catch(() => undefined);
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  for (const db of [dbNames.config, dbNames.stats, ...(ALERTS ? [dbNames.alerts] : [])]) {
    await admin.query(`create database "${db}"`);
    createdDbs.push(db);
  }
  await admin.end();
  await migrateConfig(dbUrl(dbNames.config));
  await migrateStats(dbUrl(dbNames.stats));
  if (ALERTS) await migrateAlerts(dbUrl(dbNames.alerts));
  peer = await startPeer();

  // 2. Seed.
  const redisBefore = await redisUsedMemory();
  const secretEvery = SECRET_SHARE > 0 ? Math.max(1, Math.round(1 / SECRET_SHARE)) : 0;
  const t0 = performance.now();
  const seeded = await seedSystem({
    url: dbUrl(dbNames.config),
    ring: parseKeyRing(credentialsKeys),
    count: N,
    tenants: TENANTS,
    intervalSeconds: INTERVAL,
    peerUrl: peer.url,
    secretEvery,
    ...(BLACKHOLE_N > 0
      ? {
          blackhole: {
            tenantId: BLACKHOLE_TENANT,
            count: BLACKHOLE_N,
            url: peer.blackhole,
            timeoutMs: 10_000,
            retries: 2,
          },
        }
      : {}),
  });
  const seedSeconds = (performance.now() - t0) / 1000;
  log(
    `seeded ${seeded.plain} + ${seeded.sealed} with sealed credentials + ${seeded.blackhole} black-hole integrations in ${seedSeconds.toFixed(1)} s`,
  );
  if (SEED_ONLY) {
    process.stdout.write(
      `${JSON.stringify({ integrations: N, tenants: TENANTS, seeded, seedSeconds: round(seedSeconds) }, null, 2)}\n`,
    );
    return;
  }
  await kafkaStarting;
  if (cleaning) {
    // Interrupted while the broker was starting: the cleanup may have run before its pid file existed.
    await stopPid(Number(readFileSync(join(privateKafka.stateDir, "kafka.pid"), "utf8").trim()), 30_000);
    rmSync(privateKafka.stateDir, { recursive: true, force: true });
    throw new Error("interrupted");
  }
  kafkaPid = Number(readFileSync(join(privateKafka.stateDir, "kafka.pid"), "utf8").trim());

  // 3. The services.
  const common = {
    NODE_ENV: "development",
    LOG_LEVEL: "warn",
    JWT_SECRET: DEV_JWT_SECRET,
    KAFKA_BROKERS: privateKafka.brokers.join(","),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    // As ./dev up and docker-compose run the services (decision 0271); the worker adds its heap cap below.
    NODE_OPTIONS: "--max-semi-space-size=64",
  };
  const config = startService({
    name: "config-service",
    label: "config-service",
    port: await freePort(),
    logDir,
    env: {
      ...common,
      DATABASE_URL: dbUrl(dbNames.config),
      CREDENTIALS_KEYS: credentialsKeys,
      RATE_LIMIT_MAX: "100000000",
      ...CONFIG_ENV,
    },
  });
  track(config);
  await waitReady(config);
  const stats = startService({
    name: "stats-service",
    label: "stats-service",
    port: await freePort(),
    logDir,
    env: { ...common, DATABASE_URL: dbUrl(dbNames.stats), RATE_LIMIT_MAX: "100000000", ...STATS_ENV },
  });
  track(stats);
  await waitReady(stats);
  // BENCH_ALERTS=1: the alert-service too (consumes the status topic; no channels or policies are set up).
  const alerts = ALERTS
    ? startService({
        name: "alert-service",
        label: "alert-service",
        port: await freePort(),
        logDir,
        env: {
          ...common,
          DATABASE_URL: dbUrl(dbNames.alerts),
          CREDENTIALS_KEYS: credentialsKeys,
          ALERT_ALLOWED_CIDRS: "127.0.0.0/8",
        },
      })
    : null;
  if (alerts) {
    track(alerts);
    await waitReady(alerts);
  }
  const sealedCheck = await checkSealedSpec(config.url, dbUrl(dbNames.config));
  log(
    `config-service ${config.url} (pid ${config.pid}), stats-service ${stats.url} (pid ${stats.pid}) ready; sealed spec decrypts: ${sealedCheck}`,
  );

  // 4. Our own reader of the status topic (config-service created the topics).
  const checks: Check[] = [];
  // Integrations checked at least once (until resync is known done): the fallback resync signal.
  let checkedOnce: Set<string> | null = new Set<string>();
  // Manual tests' results as the workers published them: testId -> when our reader saw it.
  const manualSeen = new Map<string, number>();
  let window: { start: number; end: number } | null = null;
  let consumedInWindow = 0;
  const client = new Kafka({
    clientId: "sysbench",
    brokers: privateKafka.brokers,
    logLevel: logLevel.NOTHING,
  });
  // The broker's CPU is counted, and a reader polling for every few messages costs it more than the services' own
  // consumers: fetches of at least 256 KiB or 250 ms, or 32 KiB or 50 ms when manual tests run (their "on Kafka"
  // times may then read up to 50 ms late). Drift and throughput come from the events' own times, not arrival.
  consumer = client.consumer({
    groupId: `${prefix}.reader`,
    maxBytes: 16 * 1024 * 1024,
    minBytes: TEST_RPS > 0 ? 32 * 1024 : 256 * 1024,
    maxWaitTimeInMs: TEST_RPS > 0 ? 50 : 250,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: statusTopic, fromBeginning: true });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.run({
    // The reader's own group starts from the beginning each run: committing offsets would only add broker load
    // that the whole-system CPU figure counts against the services.
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const now = Date.now();
      for (const m of batch.messages) {
        const e = JSON.parse(m.value?.toString() ?? "{}") as {
          type?: string;
          subject?: string;
          tenantid?: string;
          data?: {
            trigger?: string;
            testId?: string | null;
            checkedAt?: string;
            latencyMs?: number;
            success?: boolean;
            scheduledAt?: string | null;
          };
        };
        if (e.type === "integration.probe_completed" && e.data?.trigger === "manual" && e.data.testId)
          manualSeen.set(e.data.testId, now);
        if (e.type !== "integration.probe_completed" || e.data?.trigger !== "scheduled") continue;
        if (checkedOnce && e.subject) checkedOnce.add(e.subject);
        if (window && now >= window.start && now < window.end) consumedInWindow++;
        const checkedAt = Date.parse(e.data.checkedAt ?? "");
        const scheduledAt = e.data.scheduledAt ? Date.parse(e.data.scheduledAt) : Number.NaN;
        if (!window || checkedAt < window.start || checkedAt >= window.end) continue;
        checks.push({
          checkedAt,
          drift: checkedAt - (e.data.latencyMs ?? 0) - scheduledAt,
          blackhole: e.tenantid === BLACKHOLE_TENANT,
          success: e.data.success === true,
        });
      }
    },
  });
  while (!joined) await sleep(100);

  // 5. The workers: resync on start, so the schedules come from config-service's internal listing.
  const workerEnv = {
    ...common,
    CONFIG_SERVICE_URL: config.url,
    PROBE_ALLOWED_CIDRS: "127.0.0.0/8",
    RESYNC_ON_START: "true",
    // As ./dev up and docker-compose run it (decision 0262).
    NODE_OPTIONS: "--max-old-space-size=384 --max-semi-space-size=64",
    ...WORKER_ENV,
  };
  const workers: Child[] = [];
  const resyncStart = performance.now();
  for (let i = 0; i < WORKERS; i++) {
    const w = startService({
      name: "probe-worker",
      label: `worker-${i + 1}`,
      port: await freePort(),
      logDir,
      env: workerEnv,
    });
    track(w);
    workers.push(w);
  }
  for (const w of workers) await waitReady(w, 300_000);
  // Resync done = probe_resyncs_total counted on a worker (/metrics; a labelled counter shows no sample before
  // its first count); failing that series, every integration checked once.
  let resyncSeen: "metrics" | "every integration checked" | "timeout" = "timeout";
  const resyncDeadline = Date.now() + 600_000;
  while (Date.now() < resyncDeadline) {
    const texts = await Promise.all(workers.map((w) => scrape(w.url).catch(() => "")));
    if (texts.some((t) => (metricSum(t, "probe_resyncs_total") ?? 0) >= 1)) {
      resyncSeen = "metrics";
      break;
    }
    if ((checkedOnce?.size ?? 0) >= N) {
      resyncSeen = "every integration checked";
      break;
    }
    await sleep(250);
  }
  checkedOnce = null;
  const resyncSeconds = (performance.now() - resyncStart) / 1000;
  const redisAfter = await redisUsedMemory();
  const ownAfterResync = await ownRedisBytes();
  log(
    `${WORKERS} worker(s) ready, resync done (${resyncSeen}) after ${resyncSeconds.toFixed(1)} s; warming up ${WARMUP_S} s`,
  );

  // 6. Warm-up.
  await sleep(WARMUP_S * 1000);

  // 7. The window.
  const sample = await sampleIntegrations(dbUrl(dbNames.config), 2000, BLACKHOLE_TENANT);
  const pick = () => sample[Math.floor(Math.random() * sample.length)] as { id: string; tenantId: string };
  const rPid = await redisPid();
  const tracked: Record<string, number> = {
    "config-service": config.pid,
    "stats-service": stats.pid,
    ...(alerts ? { "alert-service": alerts.pid } : {}),
    kafka: kafkaPid,
    ...(rPid ? { redis: rPid } : {}),
    peer: peer.pid,
    bench: process.pid,
  };
  for (const w of workers) tracked[w.name] = w.pid;
  const ticks = () => Object.fromEntries(Object.entries(tracked).map(([k, pid]) => [k, procTimes(pid)]));
  const statsBefore = await scrape(stats.url);
  const rephasedSum = async () => {
    const texts = await Promise.all(workers.map((w) => scrape(w.url).catch(() => "")));
    const xs = texts.map((t) => metricSum(t, "probe_schedule_rephased_total"));
    return xs.some((x) => x !== null) ? xs.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
  };
  const rephasedBefore = await rephasedSum();
  const peerBefore = await peer.counts();
  const pgBefore = postgresSnapshot();
  const ticksBefore = ticks();
  const machineBefore = machineTicks();
  const loadAtWindowStart = loadAverage();
  const start = Date.now();
  window = { start, end: start + MEASURE_S * 1000 };

  // Samplers and load during the window.
  const rss: Record<string, { peak: number }> = {};
  for (const c of children) rss[c.name] = { peak: 0 };
  const rssTimer = setInterval(() => {
    for (const c of children) {
      const m = procMemory(c.pid);
      const r = rss[c.name];
      if (m && r) r.peak = Math.max(r.peak, m.rss);
    }
  }, 1000);
  stoppers.push(() => clearInterval(rssTimer));
  const apiLatencies: number[] = [];
  let apiErrors = 0;
  const apiLoop = everyRate(API_RPS, async () => {
    const { id, tenantId } = pick();
    const t = performance.now();
    try {
      const res = await fetch(`${config.url}${API}/configs/${id}`, {
        headers: { authorization: `Bearer ${tokenFor(tenantId)}` },
      });
      await res.arrayBuffer();
      if (res.status === 200) apiLatencies.push(performance.now() - t);
      else apiErrors++;
    } catch {
      apiErrors++;
    }
  });
  const testTotals: number[] = [];
  const testOverhead: number[] = [];
  let testErrors = 0;
  let testPending = 0;
  let testUnanswered = 0;
  let testsDeadline = Number.POSITIVE_INFINITY;
  const testToKafka: number[] = [];
  const testLoop = everyRate(TEST_RPS, async () => {
    const { id, tenantId } = pick();
    const headers = { authorization: `Bearer ${tokenFor(tenantId)}` };
    const t = performance.now();
    const requestedAt = Date.now();
    type View = { id?: string; status?: string; result?: { latencyMs: number } | null };
    let view: View = {};
    try {
      const res = await fetch(`${config.url}${API}/configs/${id}/test`, { method: "POST", headers });
      view = (await res.json()) as View;
      if (res.status === 202) {
        // Not done within the service's wait: poll the Location until it is (or the run is over).
        const location = res.headers.get("location") ?? `${API}/configs/${id}/tests/${view.id}`;
        testPending++;
        while (view.status === "PENDING" && Date.now() < testsDeadline) {
          await sleep(100);
          const r = await fetch(`${config.url}${location}`, { headers });
          view = (await r.json()) as View;
        }
      } else if (res.status !== 200) {
        testErrors++;
        return;
      }
      const total = performance.now() - t;
      if (view.status === "PENDING" || !view.result) {
        testUnanswered++;
        return;
      }
      testTotals.push(total);
      testOverhead.push(total - view.result.latencyMs);
    } catch {
      testErrors++;
    } finally {
      // Request -> the worker's result on the status topic (the worker's share of the wait).
      const seen = view.id ? manualSeen.get(view.id) : undefined;
      if (seen !== undefined) testToKafka.push(seen - requestedAt);
    }
  });

  log(`measuring for ${MEASURE_S} s`);
  const minuteMarks = Math.ceil(MEASURE_S / 60);
  for (let m = 1; m <= minuteMarks; m++) {
    await sleep(Math.min(60, MEASURE_S - (m - 1) * 60) * 1000);
    if (m < minuteMarks) log(`  ${m} min: ${checks.length} checks so far`);
  }
  const ticksAfter = ticks();
  const machineAfter = machineTicks();
  const pgAfter = postgresSnapshot();
  const end = Date.now();
  const peerAfter = await peer.counts();
  const statsAfter = await scrape(stats.url);
  const rephasedAfter = await rephasedSum();
  const loadAtWindowEnd = loadAverage();
  const memAtEnd = Object.fromEntries(children.map((c) => [c.name, procMemory(c.pid)]));
  clearInterval(rssTimer);
  testsDeadline = Date.now() + 30_000;
  const configAfter = await scrape(config.url).catch(() => "");
  await apiLoop.stop();
  await testLoop.stop();
  const ownAtEnd = await ownRedisBytes();
  // Results checked inside the window may still be on their way (publish batching, consumer poll).
  await sleep(5_000);
  window = { start, end };

  // --- figures -----------------------------------------------------------------------------------------------
  const elapsed = (end - start) / 1000;
  const cpuSeconds: Record<string, number | null> = {};
  for (const [name, before] of Object.entries(ticksBefore)) {
    const after = ticksAfter[name];
    cpuSeconds[name] =
      before && after && before.start === after.start
        ? round((after.ticks - before.ticks) / CLK_TCK, 2)
        : null;
  }
  const postgres = postgresCpu(pgBefore, pgAfter, Object.values(dbNames));
  const workerCpu = workers.reduce((s, w) => s + (cpuSeconds[w.name] ?? 0), 0);
  const systemParts = {
    workers: workerCpu,
    "config-service": cpuSeconds["config-service"] ?? 0,
    "stats-service": cpuSeconds["stats-service"] ?? 0,
    ...(alerts ? { "alert-service": cpuSeconds["alert-service"] ?? 0 } : {}),
    redis: cpuSeconds.redis ?? 0,
    kafka: cpuSeconds.kafka ?? 0,
    postgres: postgres.seconds,
  };
  const systemCpu = Object.values(systemParts).reduce((a, b) => a + b, 0);
  const systemCpuOwnPg = systemCpu - postgres.seconds + postgres.oursSeconds;
  // Everything the box did (/proc/stat): per-process times miss kernel work charged to no process, mostly the
  // softirq time of loopback networking (every probe's TCP connection, every Kafka, Redis and Postgres message).
  const machineSeconds = (k: "busy" | "softirq" | "idle") =>
    Number(((machineAfter[k] - machineBefore[k]) / CLK_TCK).toFixed(1));
  const machine = {
    busySeconds: machineSeconds("busy"),
    softirqSeconds: machineSeconds("softirq"),
    idleSeconds: machineSeconds("idle"),
  };
  const notInProcesses = machine.busySeconds - systemCpu - (cpuSeconds.peer ?? 0) - (cpuSeconds.bench ?? 0);

  const others = checks.filter((c) => !c.blackhole);
  const holes = checks.filter((c) => c.blackhole);
  const perMinute: Array<{ minute: number; checks: number; driftP99Ms: number | null }> = [];
  for (let m = 0; m * 60_000 < end - start; m++) {
    const inMinute = others
      .filter(
        (c) => c.checkedAt >= start + m * 60_000 && c.checkedAt < Math.min(end, start + (m + 1) * 60_000),
      )
      .map((c) => c.drift)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    perMinute.push({ minute: m + 1, checks: inMinute.length, driftP99Ms: round(pct(inMinute, 99), 0) });
  }
  const expectedOthers = (N * elapsed) / INTERVAL;
  const expectedHoles = (BLACKHOLE_N * elapsed) / INTERVAL;
  const driftOf = (xs: Check[]) => {
    const s = summary(xs.map((c) => c.drift).filter(Number.isFinite));
    return {
      p50: round(s.p50, 0),
      p90: round(s.p90, 0),
      p99: round(s.p99, 0),
      max: round(s.max, 0),
      samples: s.n,
    };
  };
  const api = summary(apiLatencies);
  const tests = summary(testOverhead);
  const testsTotal = summary(testTotals);
  const lag = histogramWindow(
    histogramBuckets(statsBefore, "hip_stats_event_apply_delay_seconds"),
    histogramBuckets(statsAfter, "hip_stats_event_apply_delay_seconds"),
    [0.5, 0.99],
  );
  const mb = (b: number | undefined) => (b === undefined ? null : Math.round(b / 1024 / 1024));
  const checksCount = others.length + holes.length;

  const fairness = FAIRNESS
    ? {
        blackholeDriftMs: driftOf(holes),
        blackholeExpectedChecks: Math.round(expectedHoles),
        blackholeChecked: holes.length,
      }
    : null;
  const manualTests =
    TEST_RPS > 0
      ? {
          requested: testTotals.length + testErrors + testUnanswered,
          answered: testTotals.length,
          errors: testErrors,
          polledAfter202: testPending,
          unansweredByWindowEndPlus30s: testUnanswered,
          requestToResultOnKafkaMs: (() => {
            const k = summary(testToKafka);
            return { p50: round(k.p50, 0), p99: round(k.p99, 0), samples: k.n };
          })(),
          overheadMs: { p50: round(tests.p50, 0), p99: round(tests.p99, 0), max: round(tests.max, 0) },
          totalMs: { p50: round(testsTotal.p50, 0), p99: round(testsTotal.p99, 0) },
        }
      : null;

  const figures = {
    run: {
      integrations: N,
      tenants: TENANTS,
      intervalSeconds: INTERVAL,
      workers: WORKERS,
      workerEnv: WORKER_ENV,
      sealedCredentials: seeded.sealed,
      blackholeIntegrations: seeded.blackhole,
      warmupSeconds: WARMUP_S,
      measuredSeconds: round(elapsed),
      cpus: cpus().length,
      cpuHogs: CPU_HOGS,
      loadAverage: { atStart: loadAtStart, windowStart: loadAtWindowStart, windowEnd: loadAtWindowEnd },
    },
    seedSeconds: round(seedSeconds),
    sealedSpecDecrypts: sealedCheck,
    resync: { seconds: round(resyncSeconds), doneBy: resyncSeen },
    throughput: {
      targetChecksPerSecond: round((N + BLACKHOLE_N) / INTERVAL),
      checksPerSecond: round(checksCount / elapsed),
      consumedScheduledPerSecond: round(consumedInWindow / elapsed),
      peerHitsPerSecond: round((peerAfter.hits - peerBefore.hits) / elapsed),
      blackholeConnectionsPerSecond: round(
        (peerAfter.blackholeConnections - peerBefore.blackholeConnections) / elapsed,
      ),
      expectedChecks: Math.round(expectedOthers),
      checked: others.length,
      failedChecks: others.filter((c) => !c.success).length,
      dueButNotChecked: Math.max(0, Math.round(expectedOthers - others.length)),
      /** Checks claimed late enough to move their schedule (probe_schedule_rephased_total; null: no such metric). */
      rephasedInWindow:
        rephasedBefore !== null && rephasedAfter !== null ? rephasedAfter - rephasedBefore : null,
    },
    driftMs: driftOf(others),
    perMinute,
    ...(fairness ? { fairness } : {}),
    ...(manualTests ? { manualTests } : {}),
    configGetById: {
      rps: round(apiLatencies.length / elapsed),
      p50Ms: round(api.p50),
      p99Ms: round(api.p99),
      max: round(api.max),
      errors: apiErrors,
    },
    statsReadModelLagSeconds: { events: lag.count, ...lag.quantiles },
    consumerLagMessagesAtEnd: {
      configStatusConsumer: metricSum(configAfter, "hip_config_status_consumer_lag"),
      statsProjection: metricSum(statsAfter, "hip_stats_consumer_lag_messages"),
    },
    memory: {
      workerRssMb: Object.fromEntries(
        [...workers, config, stats, ...(alerts ? [alerts] : [])].map((c) => [
          c.name,
          {
            end: mb(memAtEnd[c.name]?.rss),
            peakSampled: mb(rss[c.name]?.peak),
            hwm: mb(memAtEnd[c.name]?.hwm),
          },
        ]),
      ),
      redisBytesPerIntegration: Math.round((redisAfter - redisBefore) / (N + BLACKHOLE_N)),
      redisOwnKeys: {
        afterResync: {
          keys: ownAfterResync.keys,
          bytesPerIntegration: Math.round(ownAfterResync.bytes / (N + BLACKHOLE_N)),
        },
        atEnd: { keys: ownAtEnd.keys, bytesPerIntegration: Math.round(ownAtEnd.bytes / (N + BLACKHOLE_N)) },
      },
      redisUsedMemoryMb: { beforeSeed: mb(redisBefore), afterResync: mb(redisAfter) },
    },
    cpu: {
      clockTicksPerSecond: CLK_TCK,
      seconds: {
        ...cpuSeconds,
        postgres: round(postgres.seconds, 2),
        postgresOwnBackends: round(postgres.oursSeconds, 2),
      },
      postgresProcesses: {
        atEnd: postgres.processes,
        startedDuringWindow: postgres.startedDuring,
        exitedDuringWindow: postgres.exitedDuring,
      },
      coresUsed: Object.fromEntries(Object.entries(systemParts).map(([k, v]) => [k, round(v / elapsed, 2)])),
      systemCpuSeconds: round(systemCpu, 1),
      systemCores: round(systemCpu / elapsed, 2),
      checksPerCpuSecond: round(checksCount / systemCpu, 0),
      checksPerCpuSecondOwnPostgresBackends: round(checksCount / systemCpuOwnPg, 0),
      workerChecksPerCpuSecond: round(checksCount / workerCpu, 0),
      notCounted: ["peer", "bench"],
      redisPidFound: rPid !== null,
      machine: {
        ...machine,
        busyCores: round(machine.busySeconds / elapsed, 2),
        notInMeasuredProcessesSeconds: round(notInProcesses, 1),
        checksPerBusyCpuSecondEverything: round(checksCount / machine.busySeconds, 0),
      },
    },
  };
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);

  const d = figures.driftMs;
  const lines = [
    "",
    `whole system, ${N} integrations / ${TENANTS} tenants at ${INTERVAL} s, ${WORKERS} worker(s), ${round(elapsed)} s window${CPU_HOGS > 0 ? `, ${CPU_HOGS} CPU hog(s)` : ""} (load ${loadAtWindowStart[0]} -> ${loadAtWindowEnd[0]} on ${cpus().length} cpus):`,
    `  checks/s ${figures.throughput.checksPerSecond} (${figures.throughput.failedChecks} failed; target ${figures.throughput.targetChecksPerSecond}; peer ${figures.throughput.peerHitsPerSecond} hits/s); due but not checked ~${figures.throughput.dueButNotChecked}; schedules moved (late claims) ${figures.throughput.rephasedInWindow ?? "n/a"}`,
    `  drift p50 ${d.p50} / p90 ${d.p90} / p99 ${d.p99} / max ${d.max} ms; p99 per minute: ${perMinute.map((m) => m.driftP99Ms).join(", ")} ms; checks per minute: ${perMinute.map((m) => m.checks).join(", ")}`,
    `  config GET /configs/:id at ${figures.configGetById.rps}/s: p50 ${figures.configGetById.p50Ms} ms, p99 ${figures.configGetById.p99Ms} ms (${apiErrors} errors)`,
    `  consumer lag at the end: config-service status consumer ${figures.consumerLagMessagesAtEnd.configStatusConsumer} messages, stats projection ${figures.consumerLagMessagesAtEnd.statsProjection}`,
    `  stats read-model lag over ${lag.count} events: p50 <= ${lag.quantiles.p50?.le} s (~${lag.quantiles.p50?.interpolated}), p99 <= ${lag.quantiles.p99?.le} s (~${lag.quantiles.p99?.interpolated})`,
    `  worker RSS: ${workers.map((w) => `${w.name} end ${figures.memory.workerRssMb[w.name]?.end} MB, peak ${figures.memory.workerRssMb[w.name]?.peakSampled} MB, HWM ${figures.memory.workerRssMb[w.name]?.hwm} MB`).join("; ")}`,
    `  Redis per integration: used_memory delta ${figures.memory.redisBytesPerIntegration} B (shared instance); own keys ${figures.memory.redisOwnKeys.afterResync.bytesPerIntegration} B after resync, ${figures.memory.redisOwnKeys.atEnd.bytesPerIntegration} B at the end (${ownAtEnd.keys} keys)`,
    `  CPU s: ${Object.entries(systemParts)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(
        ", ",
      )} = ${systemCpu.toFixed(1)} s (${figures.cpu.systemCores} cores); peer ${cpuSeconds.peer} s, bench ${cpuSeconds.bench} s not counted`,
    `  checks per CPU-second, whole system: ${figures.cpu.checksPerCpuSecond} (own Postgres backends only: ${figures.cpu.checksPerCpuSecondOwnPostgresBackends}); worker alone: ${figures.cpu.workerChecksPerCpuSecond}`,
    `  machine (/proc/stat): ${figures.cpu.machine.busyCores} of ${cpus().length} cores busy (softirq ${machine.softirqSeconds} s, idle ${machine.idleSeconds} s); ${figures.cpu.machine.notInMeasuredProcessesSeconds} s in no measured process (kernel softirq, kernel threads, other processes); checks per busy CPU-second, everything on the box included (peer, bench): ${figures.cpu.machine.checksPerBusyCpuSecondEverything}`,
  ];
  if (fairness)
    lines.push(
      `  fairness: black-hole tenant drift p99 ${fairness.blackholeDriftMs.p99} ms (${fairness.blackholeChecked}/${fairness.blackholeExpectedChecks} checked); others p99 ${d.p99} ms`,
    );
  if (manualTests)
    lines.push(
      `  manual tests (${manualTests.answered} answered, ${manualTests.unansweredByWindowEndPlus30s} unanswered, ${manualTests.errors} errors, ${manualTests.polledAfter202} after 202): total - probe latency p50 ${manualTests.overheadMs.p50} ms, p99 ${manualTests.overheadMs.p99} ms (goal p99 < 1000); request -> result on Kafka p50 ${manualTests.requestToResultOnKafkaMs.p50} ms, p99 ${manualTests.requestToResultOnKafkaMs.p99} ms`,
    );
  process.stdout.write(`${lines.join("\n")}\n`);
  for (const c of children)
    if (c.proc.exitCode !== null)
      log(`${c.name} exited during the run (code ${c.proc.exitCode}):\n${logTail(c)}`);
}

try {
  await main();
} catch (err) {
  log(`failed: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
  redisAdmin.disconnect();
}
process.exit(process.exitCode ?? 0);
