// config-service status consumer benchmark (prints figures; not a test). Needs the local stack (Postgres, Redis,
// Kafka). Seeds BENCH_INTEGRATIONS (10,000) integrations in two tenants and runs the real service (`node
// src/main.ts` of BENCH_SERVICE_DIR, default this checkout's config-service) on BENCH_EVENTS (20,000)
// `integration.probe_completed` events in the contract shape (2 % failures), keyed by integration id:
// - catch-up (default): the events are on the topic before the service starts; measured from /ready until the
//   consumer group has committed them all;
// - live (BENCH_RATE=1667): produced at that rate once the service is ready, until all are committed.
// Prints JSON: apply rate, CPU seconds per 1,000 events of the service process and of Postgres (/proc
// utime+stime: the bench database's backends, and every postgres process), Postgres commits per 1,000 events.
//   node bench/config-service/apply.bench.ts
//   BENCH_RATE=1667 node bench/config-service/apply.bench.ts
//   BENCH_SERVICE_DIR=/path/to/other/checkout/services/config-service node bench/config-service/apply.bench.ts
// The last form measures another version of the service (e.g. the per-event path before batching).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { cloudEvent, EVENT_SOURCES, type ProbeResult, topicNames } from "@hip/contracts";
import { DEV_JWT_SECRET } from "@hip/service-kit";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import pg from "pg";
import { seedIntegrations } from "./seed.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SERVICE_DIR = process.env.BENCH_SERVICE_DIR ?? `${ROOT}services/config-service`;
const PG_ADMIN = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const KAFKA = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/9";
const INTEGRATIONS = Number(process.env.BENCH_INTEGRATIONS ?? 10_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
/** 0: catch-up of a backlog; otherwise events/s produced while measuring (1,667 = 100,000 checks a minute). */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const PORT = 3941;
const TICK = 100; // getconf CLK_TCK

const dbName = `hip_bench_apply_${Date.now()}`;
const dbUrl = PG_ADMIN.replace(/\/[^/]*$/, `/${dbName}`);
const prefix = `benchapply${Date.now()}.`;
const topics = topicNames(prefix);
const groupId = `${prefix}config-service.status`;
const children: ChildProcess[] = [];

function start(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, args, {
    cwd: SERVICE_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.push(child);
  return child;
}

/** utime + stime of a process, in seconds (null once it is gone). */
function cpuOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(rest[11]) + Number(rest[12])) / TICK;
  } catch {
    return null;
  }
}

/** Every postgres process: pid -> whether it is a backend of the bench database. */
function postgresProcesses(): Map<number, boolean> {
  const out = new Map<number, boolean>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() !== "postgres") continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      out.set(pid, cmd.includes(` ${dbName} `));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** CPU seconds spent by Postgres processes from start() to stop(), sampled so short-lived backends count too. */
class PostgresCpu {
  private readonly seen = new Map<number, { base: number; last: number; mine: boolean }>();
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    for (const [pid, mine] of postgresProcesses()) {
      const c = cpuOf(pid);
      if (c !== null) this.seen.set(pid, { base: c, last: c, mine });
    }
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    for (const [pid, mine] of postgresProcesses()) {
      const c = cpuOf(pid);
      if (c === null) continue;
      const s = this.seen.get(pid);
      if (s) s.last = c;
      else this.seen.set(pid, { base: 0, last: c, mine });
    }
  }

  stop(): { benchDb: number; all: number } {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    let benchDb = 0;
    let all = 0;
    for (const s of this.seen.values()) {
      all += s.last - s.base;
      if (s.mine) benchDb += s.last - s.base;
    }
    return { benchDb, all };
  }
}

async function waitReady(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}/ready`);
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("config-service did not become ready");
}

function probe(integrationId: string, tenantId: string, n: number) {
  const success = n % 50 !== 7;
  const checkedAt = new Date().toISOString();
  const data: ProbeResult = {
    integrationId,
    tenantId,
    testId: null,
    trigger: "scheduled",
    integrationType: "LAB_SYSTEM",
    probe: "http",
    success,
    latencyMs: 12,
    timings: { dnsMs: 1, connectMs: 2, tlsMs: null, firstByteMs: 8, totalMs: 12 },
    tls: null,
    error: success ? null : { code: "ECONNREFUSED", message: "connect ECONNREFUSED", stage: "connect" },
    diagnostics: { httpStatus: success ? 200 : null },
    attempts: 1,
    scheduledAt: checkedAt,
    checkedAt,
  };
  return cloudEvent({
    id: randomUUID(),
    type: "integration.probe_completed",
    source: EVENT_SOURCES.probeWorker,
    subject: integrationId,
    tenantId,
    sequence: Date.now() * 1000 + (n % 1000),
    data,
  });
}

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database "${dbName}"`);
  const kafka = new Kafka({ clientId: "bench-apply", brokers: KAFKA, logLevel: logLevel.NOTHING });
  const kadmin = kafka.admin();
  await kadmin.connect();
  // The platform's partitioner (libs/events): key = integration id, so one integration's results stay in order.
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  try {
    const migrate = start(["src/db/migrate.ts"], { DATABASE_URL: dbUrl });
    await new Promise((r) => migrate.on("exit", r));
    const half = Math.floor(INTEGRATIONS / 2);
    await seedIntegrations(dbUrl, "bench-a", half);
    await seedIntegrations(dbUrl, "bench-b", INTEGRATIONS - half);
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    // Seeded ERROR rows would all recover on their first success: a burst of status changes no steady state has.
    await db.query("update config.integrations set status = 'ACTIVE' where status = 'ERROR'");
    const rows = (
      await db.query<{ id: string; tenant_id: string }>("select id, tenant_id from config.integrations")
    ).rows;

    await producer.connect();
    const produce = async (from: number, to: number) => {
      const batch = [];
      for (let n = from; n < to; n++) {
        const r = rows[n % rows.length];
        if (!r) throw new Error("no rows");
        const e = probe(r.id, r.tenant_id, n);
        batch.push({ key: e.subject, value: JSON.stringify(e) });
      }
      await producer.send({ topic: topics.status, acks: -1, messages: batch });
    };
    const committedSum = async () => {
      const [c] = await kadmin.fetchOffsets({ groupId, topics: [topics.status] });
      return (c?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };
    if (!RATE) {
      // Catch-up: the whole backlog is on the topic before the service starts.
      await kadmin.createTopics({
        waitForLeaders: true,
        topics: [topics.status, topics.config, topics.deadLetter].map((topic) => ({
          topic,
          numPartitions: 3,
        })),
      });
      for (let i = 0; i < EVENTS; i += 1000) await produce(i, Math.min(EVENTS, i + 1000));
    }

    const service = start(["src/main.ts"], {
      NODE_ENV: "development",
      LOG_LEVEL: "warn",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      DATABASE_URL: dbUrl,
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_URL,
      REDIS_PREFIX: prefix,
      JWT_SECRET: DEV_JWT_SECRET,
    });
    await waitReady();
    const pid = service.pid;
    if (!pid) throw new Error("no service pid");
    const commits = async () =>
      Number(
        (await db.query("select xact_commit from pg_stat_database where datname = $1", [dbName])).rows[0]
          ?.xact_commit ?? 0,
      );
    // Live: let the start-up settle (first relay pass, group join) before measuring.
    if (RATE) await new Promise((r) => setTimeout(r, 2000));
    const commits0 = await commits();
    const pgCpu = new PostgresCpu();
    const svc0 = cpuOf(pid) ?? 0;
    pgCpu.start();
    const t0 = performance.now();
    // Catch-up: what the consumer committed before the measurement began (between joining and /ready) is left out.
    const before = RATE ? 0 : await committedSum();
    if (RATE) {
      // Live: BENCH_RATE events/s in 100 ms ticks.
      const perTick = Math.max(1, Math.round(RATE / 10));
      for (let i = 0, tick = 0; i < EVENTS; i += perTick, tick++) {
        await produce(i, Math.min(EVENTS, i + perTick));
        const wait = t0 + (tick + 1) * 100 - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
    const produced = RATE ? performance.now() - t0 : 0;
    // Done when the group has committed the end of every partition.
    const ends = await kadmin.fetchTopicOffsets(topics.status);
    const end = new Map(ends.map((p) => [p.partition, Number(p.high)]));
    for (;;) {
      const [committed] = await kadmin.fetchOffsets({ groupId, topics: [topics.status] });
      const behind = (committed?.partitions ?? []).reduce(
        (sum, p) => sum + Math.max(0, (end.get(p.partition) ?? 0) - Number(p.offset)),
        0,
      );
      if (committed && committed.partitions.length === end.size && behind === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = (performance.now() - t0) / 1000;
    const measured = EVENTS - before;
    const svcCpu = (cpuOf(pid) ?? svc0) - svc0;
    const pgUsed = pgCpu.stop();
    await new Promise((r) => setTimeout(r, 1500)); // pg_stat_database is flushed about once a second
    const commitCount = (await commits()) - commits0;
    const applied = Number(
      (await db.query("select count(*) n from config.processed_events")).rows[0]?.n ?? 0,
    );
    const changes = Number(
      (await db.query("select count(*) n from config.outbox where event_type = 'integration.status_changed'"))
        .rows[0]?.n ?? 0,
    );
    await db.end();
    const per1000 = (x: number) => Number(((x / measured) * 1000).toFixed(3));
    console.log(
      JSON.stringify(
        {
          serviceDir: SERVICE_DIR,
          integrations: INTEGRATIONS,
          mode: RATE ? `live at ${RATE} events/s` : "catch-up (backlog produced before the service started)",
          events: EVENTS,
          measuredEvents: measured,
          applied,
          statusChanges: changes,
          produceSeconds: Number((produced / 1000).toFixed(2)),
          elapsedSeconds: Number(elapsed.toFixed(2)),
          eventsPerSecond: Math.round(measured / elapsed),
          cpuSecondsPer1000Events: {
            service: per1000(svcCpu),
            postgresBenchDbBackends: per1000(pgUsed.benchDb),
            postgresAllProcesses: per1000(pgUsed.all),
            servicePlusBenchDbBackends: per1000(svcCpu + pgUsed.benchDb),
          },
          postgresCommitsPer1000Events: per1000(commitCount),
          loadAverage: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
        },
        null,
        2,
      ),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1500));
    await producer.disconnect().catch(() => undefined);
    await kadmin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await kadmin.disconnect();
    await admin.query(`drop database if exists "${dbName}" with (force)`);
    await admin.end();
  }
}

await main();
process.exit(0);
