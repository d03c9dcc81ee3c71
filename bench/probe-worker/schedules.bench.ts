import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createLogger, shutdownRegistryFor } from "@hip/service-kit";
import { Redis } from "ioredis";
import { loadEnv } from "../../services/probe-worker/src/env.ts";
import { createRuntime } from "../../services/probe-worker/src/runtime.ts";

// Usage: node bench/probe-worker/schedules.bench.ts [N=10000] [intervalSeconds=10] [measureSeconds=60]
//        [concurrency=200] [specCacheTtlMs=3600000]. Loopback only; prints figures, asserts nothing. Uses Redis db 12 under a
//        unique prefix and deletes its keys at the end.
const N = Number(process.argv[2] ?? 10_000);
const INTERVAL = Number(process.argv[3] ?? 10);
const MEASURE_S = Number(process.argv[4] ?? 60);
const CONCURRENCY = Number(process.argv[5] ?? 200);
const SPEC_TTL_MS = Number(process.argv[6] ?? 3_600_000);
const prefix = `bench${Date.now().toString(36)}`;
const redisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/12";

const child = async (args: string[]): Promise<{ proc: ChildProcess; url: string }> => {
  const proc = fork(fileURLToPath(new URL("./peer.ts", import.meta.url)), args, {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const [line] = await once(createInterface({ input: proc.stdout ?? process.stdin }), "line");
  return { proc, url: (JSON.parse(String(line)) as { url: string }).url };
};
const { proc: peer, url: peerUrl } = await child(["peer"]);
const { proc: configProc, url: configUrl } = await child(["config", String(N), String(INTERVAL), peerUrl]);
const peerHits = async (): Promise<number> => {
  peer.send("hits");
  const [msg] = (await once(peer, "message")) as [{ hits: number }];
  return msg.hits;
};

const env = loadEnv({
  NODE_ENV: "test",
  LOG_LEVEL: "warn",
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  KAFKA_TOPIC_PREFIX: `${prefix}.`,
  CONFIG_SERVICE_URL: configUrl,
  PROBE_ALLOWED_CIDRS: "127.0.0.0/8",
  PROBE_CONCURRENCY: String(CONCURRENCY),
  SPEC_CACHE_TTL_MS: String(SPEC_TTL_MS),
  RESYNC_ON_START: "false",
  MARKER_CHECK_INTERVAL_MS: String(3_600_000),
});
const logger = createLogger({ name: "bench", level: "warn" });
const admin = new Redis(redisUrl);
const usedMemory = async () => Number((await admin.info("memory")).match(/used_memory:(\d+)/)?.[1] ?? 0);

const runtime = await createRuntime(env, logger);
const registry = shutdownRegistryFor(runtime, logger, 60_000);
// Every schedule is created before the runtime starts, so no check runs during the resync.

const memBefore = await usedMemory();
const t0 = performance.now();
const summary = await runtime.resync.run("bench");
const resyncS = (performance.now() - t0) / 1000;
const memAfter = await usedMemory();
const schedulers = await runtime.schedules.count();

/** The worker's drift histogram (bucket upper bound in s -> cumulative count) and its scheduled checks. */
const snapshot = async () => {
  const drift = await runtime.metrics.drift.get();
  const buckets = new Map<number, number>();
  for (const v of drift.values)
    if (v.metricName?.endsWith("_bucket"))
      buckets.set(v.labels.le === "+Inf" ? Infinity : Number(v.labels.le), v.value);
  const checks = (await runtime.metrics.checks.get()).values
    .filter((v) => v.labels.trigger === "scheduled")
    .reduce((sum, v) => sum + v.value, 0);
  return { buckets, checks };
};
await runtime.start();
// Warm-up: one full interval, so every scheduler has fired once and the steady state is measured.
await new Promise((r) => setTimeout(r, INTERVAL * 1000));
const s0 = await snapshot();
const cpu0 = process.cpuUsage();
const hits0 = await peerHits();
const m0 = performance.now();
let rssPeak = 0;
const rssTimer = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 1000);
await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
const s1 = await snapshot();
const cpu = process.cpuUsage(cpu0);
clearInterval(rssTimer);
const elapsed = (performance.now() - m0) / 1000;
const hits = (await peerHits()) - hits0;
const wheel = {
  dueUnclaimed: await runtime.checkWheel.dueBacklog(),
  leased: await runtime.checkWheel.leased(),
  waitingHere: runtime.wheel.queued,
};
const completed = s1.checks - s0.checks;
// Percentiles from the histogram's bucket deltas: the upper bound of the bucket holding the p-th sample (ms).
const bounds = [...s1.buckets.keys()].sort((a, b) => a - b);
const samples = (s1.buckets.get(Infinity) ?? 0) - (s0.buckets.get(Infinity) ?? 0);
const pct = (p: number) => {
  const want = (p / 100) * samples;
  for (const le of bounds) {
    if ((s1.buckets.get(le) ?? 0) - (s0.buckets.get(le) ?? 0) >= want)
      return le === Infinity ? null : le * 1000;
  }
  return null;
};
const figures = {
  integrations: N,
  intervalSeconds: INTERVAL,
  concurrency: CONCURRENCY,
  specCacheTtlMs: SPEC_TTL_MS,
  targetChecksPerSecond: Math.round(N / INTERVAL),
  schedulers,
  resyncSeconds: Number(resyncS.toFixed(1)),
  resyncUpserted: summary?.upserted ?? null,
  redisBytesPerScheduler: Math.round((memAfter - memBefore) / Math.max(1, schedulers)),
  measuredSeconds: Number(elapsed.toFixed(1)),
  checksPerSecond: Math.round(completed / elapsed),
  peerRequestsPerSecond: Math.round(hits / elapsed),
  driftMsAtMost: { p50: pct(50), p90: pct(90), p99: pct(99), samples },
  backlogAtEnd: wheel,
  workerRssMb: Math.round(rssPeak / 1024 / 1024),
  workerMemoryMbAtEnd: Object.fromEntries(
    Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1024 / 1024)]),
  ),
  specsCached: runtime.specs.size,
  workerCpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)),
  workerCpuMsPerCheck: Number(((cpu.user + cpu.system) / 1e3 / Math.max(1, completed)).toFixed(3)),
  loadAverage: (await import("node:os")).loadavg().map((l) => Number(l.toFixed(1))),
  cpus: (await import("node:os")).cpus().length,
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);

await registry.shutdown("bench done");
const cleanup = new Redis(redisUrl);
let cursor = "0";
do {
  const [next, keys] = await cleanup.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
  cursor = next;
  if (keys.length > 0) await cleanup.unlink(...keys);
} while (cursor !== "0");
cleanup.disconnect();
admin.disconnect();
peer.kill("SIGTERM");
configProc.kill("SIGTERM");
process.exit(0);
