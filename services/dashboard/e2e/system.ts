import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import {
  createTestDatabase,
  getTestStack,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";

const ROOT = resolve(import.meta.dirname, "../../..");
export const DASHBOARD_DIR = resolve(import.meta.dirname, "..");
export const ARTIFACTS = join(DASHBOARD_DIR, "test-artifacts");

/** The whole platform, started for real: config-service, stats-service, probe-worker and the dashboard server. */
export interface RunningSystem {
  dashboardUrl: string;
  ports: Record<ServiceName, number>;
  stop: () => Promise<void>;
}

const SERVICES = ["config-service", "stats-service", "probe-worker", "alert-service", "dashboard"] as const;
type ServiceName = (typeof SERVICES)[number];

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** deploy/dev.env as a map (KEY=VALUE lines; comments skipped). */
function devEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(ROOT, "deploy/dev.env"), "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? "";
  }
  return out;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the SPA when dist is missing or older than its sources (a stale build would test yesterday's UI). */
function ensureSpaBuilt(): void {
  const built = join(DASHBOARD_DIR, "dist/index.html");
  if (existsSync(built)) {
    const sources = Math.max(
      newestMtime(join(DASHBOARD_DIR, "src")),
      statSync(join(DASHBOARD_DIR, "index.html")).mtimeMs,
    );
    if (statSync(built).mtimeMs >= sources) return;
  }
  const vite = join(DASHBOARD_DIR, "node_modules/vite/bin/vite.js");
  const r = spawnSync(process.execPath, [vite, "build"], { cwd: DASHBOARD_DIR, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

function runMigration(service: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, ["src/db/migrate.ts"], {
    cwd: join(ROOT, "services", service),
    env,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`${service} migration failed:\n${r.stdout}\n${r.stderr}`);
}

async function waitReady(name: string, port: number, child: ChildProcess, log: string): Promise<void> {
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${log}`);
      const res = await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2500) });
      return res.ok;
    },
    { timeoutMs: 90_000, intervalMs: 300, what: `${name} /ready on :${port} (log: ${log})` },
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startSystem(): Promise<RunningSystem> {
  ensureSpaBuilt();
  const stack = await getTestStack();
  const db: TestDatabase = await createTestDatabase("hip_e2e");
  const children: ChildProcess[] = [];
  const ports = {
    "config-service": await freePort(),
    "stats-service": await freePort(),
    "probe-worker": await freePort(),
    "alert-service": await freePort(),
    dashboard: await freePort(),
  } satisfies Record<ServiceName, number>;
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...devEnv(),
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    DATABASE_URL: db.url,
    REDIS_URL: stack.redisUrl,
    REDIS_PREFIX: uniqueRedisPrefix(),
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    CONFIG_SERVICE_URL: `http://127.0.0.1:${ports["config-service"]}`,
    STATS_SERVICE_URL: `http://127.0.0.1:${ports["stats-service"]}`,
    ALERT_SERVICE_URL: `http://127.0.0.1:${ports["alert-service"]}`,
    PROBE_ALLOWED_CIDRS: "127.0.0.0/8",
    ALERT_ALLOWED_CIDRS: "127.0.0.0/8",
    DASHBOARD_DEV_LOGIN: "true",
    HOST: "127.0.0.1",
    SHUTDOWN_TIMEOUT_MS: "5000",
  };
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await db.drop();
  };
  try {
    runMigration("config-service", base);
    runMigration("stats-service", base);
    runMigration("alert-service", base);
    mkdirSync(join(ARTIFACTS, "logs"), { recursive: true });
    for (const name of SERVICES) {
      const entry = name === "dashboard" ? "server/main.ts" : "src/main.ts";
      const log = join(ARTIFACTS, "logs", `${name}.log`);
      const out = createWriteStream(log);
      const child = spawn(process.execPath, [entry], {
        cwd: join(ROOT, "services", name),
        env: { ...base, PORT: String(ports[name]) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.pipe(out);
      child.stderr?.pipe(out);
      children.push(child);
      // Start in dependency order so each consumer group and topic exists before the next one needs it.
      await waitReady(name, ports[name], child, log);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { dashboardUrl: `http://127.0.0.1:${ports.dashboard}`, ports, stop };
}
