import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { DEV_JWT_SECRET } from "@hip/service-kit";

/** The repository root, for spawning services from tests. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The development profile's values (deploy/dev.env), for services started by tests. JWT_SECRET is pinned to
 * the dev secret so that a JWT_SECRET in the caller's environment cannot make tests sign with another key.
 */
export const DEV_ENV: Record<string, string> = {
  NODE_ENV: "development",
  LOG_LEVEL: "warn",
  JWT_SECRET: DEV_JWT_SECRET,
  CREDENTIALS_KEYS: "dev1:ZGV2LW9ubHkta2V5LTMyLWJ5dGVzLWxvbmctMDAwMDA=",
  PROBE_ALLOWED_CIDRS: "127.0.0.0/8,::1/128",
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningService {
  name: string;
  port: number;
  url: string;
  process: ChildProcess;
  /** Everything the process printed (stdout + stderr), for assertions on logs. */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after the deadline). */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill9(): Promise<void>;
}

/**
 * Spawns `node <entry>` in `services/<name>` with the given env on a free port and waits for GET /ready = 200.
 * Children are tracked by PID and stopped by PID only.
 */
export async function startService(opts: {
  name: string;
  entry?: string;
  env: Record<string, string>;
  port?: number;
  readyTimeoutMs?: number;
  waitReady?: boolean;
}): Promise<RunningService> {
  const port = opts.port ?? (await freePort());
  const cwd = `${REPO_ROOT}services/${opts.name}`;
  const child = spawn(process.execPath, [opts.entry ?? "src/main.ts"], {
    cwd,
    env: { ...process.env, ...DEV_ENV, ...opts.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const svc: RunningService = {
    name: opts.name,
    port,
    url,
    process: child,
    output: () => out,
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
  if (opts.waitReady === false) return svc;
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`${opts.name} exited with ${child.exitCode} before ready:\n${out.slice(-4000)}`);
    }
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) return svc;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await svc.kill9();
      throw new Error(
        `${opts.name} not ready within ${opts.readyTimeoutMs ?? 60_000} ms:\n${out.slice(-4000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Runs a one-shot node script in a service directory (e.g. src/db/migrate.ts) and fails loudly on error. */
export async function runScript(name: string, script: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, [script], {
    cwd: `${REPO_ROOT}services/${name}`,
    env: { ...process.env, ...DEV_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${name} ${script} exited with ${code}:\n${out.slice(-4000)}`);
  return out;
}
