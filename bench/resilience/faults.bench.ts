// Fault run (prints figures; not a test). Uses its OWN Kafka broker and redis-server on free ports (the shared
// 9092/6379 are never stopped) and its own database on the local PostgreSQL.
//   source scripts/toolchain.sh && source scripts/test-env.sh && node bench/resilience/faults.bench.ts
// Knobs: BENCH_OUTAGE_MS (30000), BENCH_INTEGRATIONS (20, checked every 10 s), BENCH_CONCURRENCY (4 probe slots),
// BENCH_WRITES (200 writes per Redis phase), KAFKA_SESSION_TIMEOUT_MS / KAFKA_HEARTBEAT_INTERVAL_MS / KAFKA_RETRY_MAX_MS.
// Phases: 1. Kafka stopped for BENCH_OUTAGE_MS under the real config-service + probe-worker (in this process):
// checks skipped, results published exactly once, time from broker return to first published / consumed event
// and to /ready, longest PostgreSQL transaction meanwhile. 2. A consumer-group member kill -9'd: time its
// partitions stay blocked. 3. Redis killed: config-service write latency p50/p99 (vs Redis up).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { AnyEvent, type StatusEvent, topicNames } from "@hip/contracts";
import { EventBus, kafkaTuningFromEnv } from "@hip/events";
import { createLogger, DEV_JWT_SECRET, shutdownRegistryFor, signHs256 } from "@hip/service-kit";
import { createTestDatabase, PrivateKafka, PrivateRedis, REPO_ROOT } from "@hip/testkit";
import pg from "pg";
import { runMigrations } from "../../services/config-service/src/db/migrate.ts";
import { loadEnv as loadConfigEnv } from "../../services/config-service/src/env.ts";
import { createRuntime as createConfigRuntime } from "../../services/config-service/src/runtime.ts";
import { loadEnv as loadProbeEnv } from "../../services/probe-worker/src/env.ts";
import { createRuntime as createProbeRuntime } from "../../services/probe-worker/src/runtime.ts";

const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_MS ?? 30_000);
const INTEGRATIONS = Number(process.env.BENCH_INTEGRATIONS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WRITES = Number(process.env.BENCH_WRITES ?? 200);
const INTERVAL_S = 10;
const API = "/api/integration";
const DEV_KEYS = "dev1:ZGV2LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmctMDAwMDA=";
const logger = createLogger({ name: "bench", level: process.env.BENCH_LOG_LEVEL ?? "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[resilience] ${msg}\n`);
const passthrough = (name: string) => (process.env[name] ? { [name]: process.env[name] as string } : {});
const tuningEnv = {
  ...passthrough("KAFKA_SESSION_TIMEOUT_MS"),
  ...passthrough("KAFKA_HEARTBEAT_INTERVAL_MS"),
  ...passthrough("KAFKA_RETRY_MAX_MS"),
};

async function waitUntil<T>(
  fn: () => Promise<T | null | false> | T | null | false,
  timeoutMs: number,
  what: string,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(50);
  }
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

async function httpPeer(): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no address");
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

const kafka = await PrivateKafka.create();
const redis = await PrivateRedis.create();
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
const results: Record<string, unknown> = {};

try {
  log(`starting own Kafka on 127.0.0.1:${kafka.port} and redis-server on ${redis.port}`);
  await kafka.start();
  await redis.start();
  cleanups.push(
    () => kafka.destroy(),
    () => redis.stop(),
  );
  const db = await createTestDatabase("hip_bench_resil");
  cleanups.push(() => db.drop());
  await runMigrations(db.url);
  const peer = await httpPeer();
  cleanups.push(async () => peer.server.close());
  const prefix = `benchresil${Date.now()}.`;
  const topics = topicNames(prefix);
  const brokers = kafka.brokers.join(",");

  // --- the real services, in this process -------------------------------------------------------------------
  const cfgEnv = loadConfigEnv({
    NODE_ENV: "development",
    LOG_LEVEL: "silent",
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: prefix,
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: prefix,
    JWT_SECRET: DEV_JWT_SECRET,
    CREDENTIALS_KEYS: DEV_KEYS,
    RATE_LIMIT_MAX: "1000000",
    ...tuningEnv,
  });
  const cfg = await createConfigRuntime(cfgEnv, logger);
  const cfgShutdown = shutdownRegistryFor(cfg, logger, 20_000);
  await cfg.start();
  await cfg.app.listen({ host: "127.0.0.1", port: 0 });
  const cfgAddr = cfg.app.server.address();
  const cfgUrl = `http://127.0.0.1:${typeof cfgAddr === "object" && cfgAddr ? cfgAddr.port : 0}`;
  let cfgStopped = false;
  cleanups.push(async () => {
    if (!cfgStopped) await cfgShutdown.shutdown("bench");
  });

  const pw = await createProbeRuntime(
    loadProbeEnv({
      NODE_ENV: "development",
      LOG_LEVEL: "silent",
      PORT: "0",
      CONFIG_SERVICE_URL: cfgUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: prefix,
      JWT_SECRET: DEV_JWT_SECRET,
      PROBE_ALLOWED_CIDRS: "127.0.0.0/8",
      PROBE_CONCURRENCY: String(CONCURRENCY),
      ...tuningEnv,
    }),
    logger,
  );
  const pwShutdown = shutdownRegistryFor(pw, logger, 20_000);
  await pw.start();
  let pwStopped = false;
  cleanups.push(async () => {
    if (!pwStopped) await pwShutdown.shutdown("bench");
  });

  // A reader of the status topic: every probe_completed, with duplicates.
  const readerBus = new EventBus({ brokers: kafka.brokers, clientId: "bench-reader", logger });
  cleanups.push(() => readerBus.close());
  const seen: Array<Extract<StatusEvent, { type: "integration.probe_completed" }>> = [];
  const reader = await readerBus.consumer({
    groupId: `${prefix}bench.reader`,
    topics: [topics.status],
    schema: AnyEvent,
    deadLetterTopic: topics.deadLetter,
    handle: async (event) => {
      if (event.type === "integration.probe_completed") seen.push(event);
    },
  });
  void reader.start();

  const admin = signHs256({ sub: "bench", tenantId: "bench", roles: ["admin"] }, DEV_JWT_SECRET, {
    ttlSeconds: 3600,
  });
  const call = async (method: "POST" | "PATCH", url: string, body: unknown) =>
    cfg.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: JSON.stringify(body),
    });

  const ids: string[] = [];
  for (let i = 0; i < INTEGRATIONS; i++) {
    const res = await call("POST", `${API}/configs`, {
      name: `Bench ${i}`,
      type: "API",
      endpoint: `${peer.url}/i${i}`,
      authType: "NONE",
      healthCheck: { enabled: true, intervalSeconds: INTERVAL_S },
    });
    if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
    ids.push((res.json() as { id: string }).id);
  }
  log(`${INTEGRATIONS} integrations created, waiting for a scheduled check of each`);
  const scheduledOf = (id: string) => seen.filter((e) => e.subject === id && e.data.trigger === "scheduled");
  await waitUntil(() => ids.every((id) => scheduledOf(id).length >= 1), 90_000, "first scheduled checks");

  // --- phase 1: Kafka outage ----------------------------------------------------------------------------------
  const monitor = new pg.Client({ connectionString: db.url });
  await monitor.connect();
  cleanups.push(() => monitor.end());
  let longestTxMs = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const r = await monitor.query<{ ms: number | null }>(
        `select max(extract(epoch from clock_timestamp() - xact_start) * 1000)::float8 as ms
         from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      );
      longestTxMs = Math.max(longestTxMs, r.rows[0]?.ms ?? 0);
      await sleep(100);
    }
  })();

  const configEventsHandled = async () =>
    (await pw.metrics.configEvents.get()).values.reduce((sum, v) => sum + v.value, 0);
  log(`stopping Kafka for ${OUTAGE_MS / 1000} s`);
  const outageStart = Date.now();
  await kafka.stop();
  let writes = 0;
  while (Date.now() - outageStart < OUTAGE_MS) {
    // Writes keep committing into the outbox while Kafka is down.
    const id = ids[writes % ids.length] as string;
    const res = await call("PATCH", `${API}/configs/${id}`, { description: `outage write ${writes}` });
    if (res.statusCode !== 200) throw new Error(`write during outage failed: ${res.statusCode}`);
    writes++;
    await sleep(1000);
  }
  const handledBefore = await configEventsHandled();
  const publisherBefore = (await pw.publisher.health()).lastSuccessAt;
  const backlogAtReturn = await pw.publisher.backlog();
  await kafka.start();
  const back = Date.now();
  log(
    `Kafka is back after ${(back - outageStart) / 1000} s (results buffered meanwhile: ${backlogAtReturn})`,
  );

  const after = async (fn: () => Promise<boolean>, what: string) => {
    await waitUntil(fn, 120_000, what);
    return Date.now() - back;
  };
  const ready = async (app: typeof cfg.app) =>
    (await app.inject({ method: "GET", url: "/ready" })).statusCode === 200;
  const [firstPublishedMs, firstConsumedMs, outboxPublishedMs, pwReadyMs, cfgReadyMs] = await Promise.all([
    after(async () => {
      const last = (await pw.publisher.health()).lastSuccessAt;
      return last !== null && last !== publisherBefore && Date.parse(last) >= back;
    }, "probe results published"),
    after(
      async () => (await configEventsHandled()) > handledBefore,
      "config event consumed by the probe worker",
    ),
    after(async () => {
      const d = (await cfg.app.inject({ method: "GET", url: "/health/details" })).json().checks.outbox;
      return Boolean(d?.relay?.lastSuccessAt && Date.parse(d.relay.lastSuccessAt) >= back);
    }, "outbox published"),
    after(() => ready(pw.app), "probe-worker ready"),
    after(() => ready(cfg.app), "config-service ready"),
  ]);
  sampling = false;
  await sampler;

  // Every check due between the last one before the outage and the first one after it must be there, once.
  await waitUntil(async () => (await pw.publisher.backlog()) === 0, 120_000, "result buffer drained");
  await waitUntil(
    () =>
      ids.every((id) =>
        scheduledOf(id).some((e) => Date.parse(e.data.scheduledAt ?? "") >= back + INTERVAL_S * 1000),
      ),
    120_000,
    "checks after the outage seen",
  );
  let skipped = 0;
  let dueInOutage = 0;
  let duplicates = 0;
  for (const id of ids) {
    const events = scheduledOf(id);
    duplicates += events.length - new Set(events.map((e) => e.id)).size;
    const due = [...new Set(events.map((e) => Date.parse(e.data.scheduledAt ?? "")))].sort((a, b) => a - b);
    const from = due.filter((t) => t < outageStart).at(-1) ?? due[0] ?? 0;
    const to = due.find((t) => t >= back) ?? from;
    const window = due.filter((t) => t >= from && t <= to);
    const expected = Math.round((to - from) / (INTERVAL_S * 1000)) + 1;
    skipped += expected - window.length;
    dueInOutage += due.filter((t) => t >= outageStart && t < back).length;
  }
  Object.assign(results, {
    outage_s: Math.round((back - outageStart) / 100) / 10,
    integrations: INTEGRATIONS,
    interval_s: INTERVAL_S,
    probe_slots: CONCURRENCY,
    checks_due_during_outage: dueInOutage,
    checks_skipped: skipped,
    duplicate_deliveries_seen_by_reader: duplicates,
    results_buffered_at_return: backlogAtReturn,
    writes_committed_during_outage: writes,
    ms_broker_return_to_first_probe_result_published: firstPublishedMs,
    ms_broker_return_to_first_outbox_event_published: outboxPublishedMs,
    ms_broker_return_to_first_config_event_consumed: firstConsumedMs,
    ms_broker_return_to_probe_worker_ready: pwReadyMs,
    ms_broker_return_to_config_service_ready: cfgReadyMs,
    longest_pg_transaction_ms_during_outage: Math.round(longestTxMs),
  });
  log(JSON.stringify(results));

  // --- phase 2: a kill -9'd group member ------------------------------------------------------------------------
  const topic = `${prefix}bench.members`;
  const groupId = `${prefix}bench.members`;
  const memberBus = new EventBus({
    brokers: kafka.brokers,
    clientId: "bench-survivor",
    logger,
    tuning: kafkaTuningFromEnv({
      KAFKA_SESSION_TIMEOUT_MS: process.env.KAFKA_SESSION_TIMEOUT_MS
        ? Number(process.env.KAFKA_SESSION_TIMEOUT_MS)
        : undefined,
      KAFKA_HEARTBEAT_INTERVAL_MS: process.env.KAFKA_HEARTBEAT_INTERVAL_MS
        ? Number(process.env.KAFKA_HEARTBEAT_INTERVAL_MS)
        : undefined,
    }),
  });
  cleanups.push(() => memberBus.close());
  await memberBus.ensureTopics([{ topic, partitions: 6 }]);
  const child = spawn(process.execPath, [`${REPO_ROOT}bench/resilience/member.ts`], {
    cwd: `${REPO_ROOT}bench`,
    env: { ...process.env, BROKERS: brokers, GROUP: groupId, TOPIC: topic, DLQ: topics.deadLetter },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  let childAssigned = 0;
  child.stdout?.on("data", (d: Buffer) => {
    const line = String(d).trim().split("\n").at(-1) ?? "";
    try {
      const s = JSON.parse(line) as { state: string; assigned: Record<string, number[]> };
      childAssigned = s.state === "joined" ? Object.values(s.assigned).flat().length : 0;
    } catch {
      // partial line
    }
  });
  const survivor = await memberBus.consumer({
    groupId,
    topics: [topic],
    schema: AnyEvent,
    deadLetterTopic: topics.deadLetter,
    handle: async () => {},
  });
  void survivor.start();
  const owned = () => {
    const s = survivor.status();
    return s.state === "joined" ? Object.values(s.assigned).flat().length : 0;
  };
  await waitUntil(
    () => childAssigned > 0 && owned() > 0 && childAssigned + owned() === 6,
    120_000,
    "two members share 6 partitions",
  );
  await sleep(2000);
  const killedAt = Date.now();
  child.kill("SIGKILL");
  await waitUntil(() => owned() === 6, 300_000, "survivor owns all partitions");
  Object.assign(results, {
    session_timeout_ms: memberBus.tuning.sessionTimeoutMs,
    heartbeat_interval_ms: memberBus.tuning.heartbeatIntervalMs,
    ms_killed_member_blocks_its_partitions: Date.now() - killedAt,
  });
  log(JSON.stringify(results));

  // --- phase 3: Redis down, config-service writes ---------------------------------------------------------------
  await pwShutdown.shutdown("bench"); // the probe worker needs Redis; it is not part of this phase
  pwStopped = true;
  const writeLatencies = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const res = await call("PATCH", `${API}/configs/${ids[i % ids.length]}`, { description: `w${i}` });
      out.push(performance.now() - t);
      if (res.statusCode !== 200) throw new Error(`write failed: ${res.statusCode}`);
    }
    return out;
  };
  const up = await writeLatencies(WRITES);
  await redis.stop();
  const down = await writeLatencies(WRITES);
  Object.assign(results, {
    write_ms_redis_up_p50: Math.round(pct(up, 50) * 10) / 10,
    write_ms_redis_up_p99: Math.round(pct(up, 99) * 10) / 10,
    write_ms_redis_down_p50: Math.round(pct(down, 50) * 10) / 10,
    write_ms_redis_down_p99: Math.round(pct(down, 99) * 10) / 10,
    write_ms_redis_down_max: Math.round(Math.max(...down) * 10) / 10,
  });
  await cfgShutdown.shutdown("bench");
  cfgStopped = true;
  console.log(JSON.stringify(results, null, 2));
} catch (err) {
  console.error("[resilience] failed:", err, "\nfigures so far:", JSON.stringify(results));
  process.exitCode = 1;
} finally {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
  process.exit();
}
