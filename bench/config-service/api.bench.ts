// config-service benchmark (prints figures; not a test). Needs the local stack (Postgres, Redis, Kafka).
//   node bench/config-service/api.bench.ts            (BENCH_DURATION=10 seconds per run, BENCH_RECORDS=100000)
// Measures, at 100,000 records in one tenant: GET /configs/:id and GET /configs?limit=50 with a JWT vs a bare
// Fastify route running the same SQL (ratio, goal >= 0.6); POST /configs throughput; outbox commit-to-Kafka
// latency p50/p99 at 200 changes/s (goal p99 < 250 ms).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { seedIntegrations } from "./seed.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SERVICE_DIR = `${ROOT}services/config-service`;
const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const KAFKA = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const JWT_SECRET = DEV_JWT_SECRET;
const SERVICE_PORT = 3931;
const BARE_PORT = 3932;

const children: ChildProcess[] = [];
const dbName = `hip_bench_config_${Date.now()}`;
const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
const prefix = `bench${Date.now()}.`;

function start(args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** The run with the median throughput. */
function median(runs: Figures[]): Figures {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = sorted[Math.floor(sorted.length / 2)];
  if (!mid) throw new Error("no runs");
  return mid;
}

async function cannon(opts: {
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  path: () => string;
  body?: () => string;
  duration?: number;
}): Promise<Figures> {
  const result = await autocannon({
    url: opts.url,
    connections: CONNECTIONS,
    duration: opts.duration ?? DURATION,
    requests: [
      {
        method: opts.method ?? "GET",
        headers: opts.headers ?? {},
        setupRequest: (req) => ({
          ...req,
          path: opts.path(),
          ...(opts.body ? { body: opts.body() } : {}),
        }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function outboxLatency(
  ids: string[],
  auth: Record<string, string>,
): Promise<{ p50: number; p99: number; n: number }> {
  const kafka = new Kafka({ clientId: "bench", brokers: KAFKA, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${prefix}bench-latency` });
  await consumer.connect();
  await consumer.subscribe({ topic: `${prefix}integration.config.v1`, fromBeginning: false });
  const latencies: number[] = [];
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const event = JSON.parse(message.value?.toString() ?? "{}") as { type?: string; time?: string };
      if (event.type === "integration.updated" && event.time)
        latencies.push(Date.now() - Date.parse(event.time));
    },
  });
  while (!joined) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  // 200 changes/s: 10 PATCHes every 50 ms, for DURATION seconds.
  const sent: Array<Promise<unknown>> = [];
  const ticks = DURATION * 20;
  for (let t = 0; t < ticks; t++) {
    for (let i = 0; i < 10; i++) {
      const id = ids[(t * 10 + i) % ids.length];
      sent.push(
        fetch(`http://127.0.0.1:${SERVICE_PORT}/api/integration/configs/${id}`, {
          method: "PATCH",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ description: `latency ${t}-${i}` }),
        }).then((r) => r.arrayBuffer()),
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(sent);
  const deadline = Date.now() + 10_000;
  while (latencies.length < sent.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return { p50: pct(50), p99: pct(99), n: latencies.length };
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  try {
    const migrate = start(["src/db/migrate.ts"], SERVICE_DIR, { DATABASE_URL: dbUrl });
    await new Promise((r) => migrate.on("exit", r));
    const t0 = Date.now();
    const ids = await seedIntegrations(dbUrl, "bench", RECORDS);
    console.log(`seeded ${RECORDS} integrations in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    start(["src/main.ts"], SERVICE_DIR, {
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      PORT: String(SERVICE_PORT),
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_PREFIX: prefix,
      RATE_LIMIT_MAX: "1000000000",
      STATUS_CONSUMER_ENABLED: "false",
      JWT_SECRET,
    });
    start(["bench/config-service/bare-server.ts"], ROOT, { DATABASE_URL: dbUrl, PORT: String(BARE_PORT) });
    await waitHttp(`http://127.0.0.1:${SERVICE_PORT}/health`);
    await waitHttp(`http://127.0.0.1:${BARE_PORT}/bare-list`);

    const auth = {
      authorization: `Bearer ${signHs256({ sub: "bench", tenantId: "bench", roles: ["admin"] }, JWT_SECRET, { ttlSeconds: 86_400 })}`,
    };
    const pick = () => ids[Math.floor(Math.random() * ids.length)];
    const svc = `http://127.0.0.1:${SERVICE_PORT}`;
    const bare = `http://127.0.0.1:${BARE_PORT}`;

    // Warm both servers (JIT, pool connections) before measuring.
    await cannon({ url: svc, headers: auth, path: () => `/api/integration/configs/${pick()}`, duration: 3 });
    await cannon({ url: bare, path: () => `/bare/${pick()}`, duration: 3 });

    // The box may be shared: alternate service and baseline runs and keep the median of each, so a burst of
    // foreign load hits both sides alike.
    const getSvcRuns: Figures[] = [];
    const getBareRuns: Figures[] = [];
    const listSvcRuns: Figures[] = [];
    const listBareRuns: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      getSvcRuns.push(
        await cannon({ url: svc, headers: auth, path: () => `/api/integration/configs/${pick()}` }),
      );
      getBareRuns.push(await cannon({ url: bare, path: () => `/bare/${pick()}` }));
      listSvcRuns.push(
        await cannon({ url: svc, headers: auth, path: () => "/api/integration/configs?limit=50" }),
      );
      listBareRuns.push(await cannon({ url: bare, path: () => "/bare-list" }));
    }
    const getSvc = median(getSvcRuns);
    const getBare = median(getBareRuns);
    const listSvc = median(listSvcRuns);
    const listBare = median(listBareRuns);
    const search = await cannon({
      url: svc,
      headers: auth,
      path: () =>
        `/api/integration/configs?limit=50&type=LAB_SYSTEM&q=${encodeURIComponent(`number ${Math.floor(Math.random() * 9999)}`)}`,
    });
    const create = await cannon({
      url: svc,
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      path: () => "/api/integration/configs",
      body: () =>
        JSON.stringify({
          name: `bench ${randomUUID()}`,
          type: "API",
          endpoint: "https://bench.example.org",
          authType: "API_KEY",
          apiKey: "bench-secret-value-1234",
        }),
    });
    const latency = await outboxLatency(ids, auth);

    const row = (name: string, f: Figures, ratio = "") =>
      `| ${name.padEnd(34)} | ${f.rps.toFixed(0).padStart(8)} | ${String(f.p50).padStart(7)} | ${String(f.p99).padStart(7)} | ${String(f.errors + f.non2xx).padStart(6)} | ${ratio.padStart(6)} |`;
    console.log(
      `\nconfig-service bench: ${RECORDS} records/tenant, ${CONNECTIONS} connections, ${DURATION} s per run, ` +
        `ratios from the median of ${ROUNDS} alternating rounds, loopback`,
    );
    console.log("| run                                |   req/s  | p50 ms  | p99 ms  | errors | ratio  |");
    console.log("|------------------------------------|----------|---------|---------|--------|--------|");
    console.log(row("GET /configs/:id (JWT)", getSvc, (getSvc.rps / getBare.rps).toFixed(2)));
    console.log(row("  bare Fastify, same SQL", getBare));
    console.log(row("GET /configs?limit=50 (JWT)", listSvc, (listSvc.rps / listBare.rps).toFixed(2)));
    console.log(row("  bare Fastify, same SQL", listBare));
    console.log(row("GET /configs?type&q (search)", search));
    console.log(row("POST /configs (encrypt+outbox+audit)", create));
    console.log(
      `\noutbox commit->Kafka latency at 200 changes/s: p50 ${latency.p50} ms, p99 ${latency.p99} ms (${latency.n} events)`,
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
