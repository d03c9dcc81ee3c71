import { type ChildProcess, fork, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  url: string;
  logFile: string;
}

/** The environment a service child gets: only what it needs (PATH/HOME) and what the bench sets. */
function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "TZ", "LANG"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k] as string]] : [])));
}

/** `node services/<name>/src/main.ts` with stdout+stderr into a log file (no CPU spent in the bench on logs). */
export function startService(opts: {
  name: string;
  label: string;
  port: number;
  env: Record<string, string>;
  logDir: string;
}): Child {
  const logFile = join(opts.logDir, `${opts.label}.log`);
  const fd = openSync(logFile, "a");
  const proc = spawn(process.execPath, ["src/main.ts"], {
    cwd: `${ROOT}services/${opts.name}`,
    env: { ...baseEnv(), ...opts.env, PORT: String(opts.port), HOST: "127.0.0.1" },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  if (!proc.pid) throw new Error(`${opts.label} did not start`);
  return { name: opts.label, proc, pid: proc.pid, url: `http://127.0.0.1:${opts.port}`, logFile };
}

export function logTail(child: Child, chars = 3000): string {
  try {
    return readFileSync(child.logFile, "utf8").slice(-chars);
  } catch {
    return "";
  }
}

/** Waits for GET /ready = 200; fails with the log tail when the process exits or the deadline passes. */
export async function waitReady(child: Child, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null)
      throw new Error(`${child.name} exited before ready:\n${logTail(child)}`);
    try {
      const res = await fetch(`${child.url}/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${child.name} not ready in ${timeoutMs} ms:\n${logTail(child)}`);
    await sleep(250);
  }
}

/** SIGTERM by pid, SIGKILL after `timeoutMs`. */
export async function stopPid(pid: number, timeoutMs = 15_000): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    while (alive()) await sleep(50);
  }
}

/** Stops a child we spawned (waits for its exit event, so no zombie stays behind). */
export async function stopChild(child: Child, timeoutMs = 15_000): Promise<void> {
  const { proc } = child;
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export interface Peer {
  proc: ChildProcess;
  pid: number;
  url: string;
  blackhole: string;
  counts(): Promise<{ hits: number; blackholeConnections: number }>;
}

/** The loopback HTTP peer of bench/probe-worker/peer.ts (answers 200 at once, counts hits) and its black hole. */
export async function startPeer(): Promise<Peer> {
  const proc = fork(`${ROOT}bench/probe-worker/peer.ts`, ["peer"], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const [line] = await once(createInterface({ input: proc.stdout ?? process.stdin }), "line");
  const { url, blackhole } = JSON.parse(String(line)) as { url: string; blackhole: string };
  if (!proc.pid || !blackhole) throw new Error("peer did not start");
  return {
    proc,
    pid: proc.pid,
    url,
    blackhole,
    async counts() {
      proc.send("hits");
      const [msg] = (await once(proc, "message")) as [{ hits: number; blackholeConnections: number }];
      return msg;
    },
  };
}
