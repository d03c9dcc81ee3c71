import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on Linux when getconf is missing). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcTimes {
  pid: number;
  comm: string;
  /** utime + stime in clock ticks (all threads of the process). */
  ticks: number;
  /** Start time after boot in ticks: tells a reused pid from the same process. */
  start: number;
}

/** utime+stime of one process from /proc/<pid>/stat, or null when it is gone (or not readable). */
export function procTimes(pid: number): ProcTimes | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // comm is in parentheses and may hold spaces: the fields after the last ")" are positional (field 3 on).
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state): utime = field 14, stime = 15, starttime = 22.
  return {
    pid,
    comm: text.slice(open + 1, close),
    ticks: Number(rest[11]) + Number(rest[12]),
    start: Number(rest[19]),
  };
}

/** VmRSS and VmHWM (peak) of a process in bytes, from /proc/<pid>/status. */
export function procMemory(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return null;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
  } catch {
    return "";
  }
}

export interface PostgresSnapshot {
  at: number;
  procs: Map<number, ProcTimes & { cmd: string }>;
}

/** Every process named `postgres` (postmaster, background workers, one backend per connection). */
export function postgresSnapshot(): PostgresSnapshot {
  const procs = new Map<number, ProcTimes & { cmd: string }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const t = procTimes(Number(name));
    if (t?.comm === "postgres") procs.set(t.pid, { ...t, cmd: cmdline(t.pid) });
  }
  return { at: Date.now(), procs };
}

/**
 * CPU seconds of PostgreSQL between two snapshots: the delta of every process present at both ends (same start
 * time), plus the whole CPU time of processes that started during the window (their life is inside it).
 * Processes that started and exited between the snapshots, or exited before the end, are missed; connection
 * pools keep backends for the whole run, so that is little. `ours` = backends of the given databases (their
 * process title names the database), the rest is other sessions' backends and the shared background processes.
 */
export function postgresCpu(
  a: PostgresSnapshot,
  b: PostgresSnapshot,
  databases: string[],
): { seconds: number; oursSeconds: number; processes: number; startedDuring: number; exitedDuring: number } {
  let ticks = 0;
  let ours = 0;
  let started = 0;
  let exited = 0;
  const isOurs = (cmd: string) => databases.some((db) => cmd.includes(` ${db} `));
  for (const [pid, end] of b.procs) {
    const begin = a.procs.get(pid);
    let d: number;
    if (begin && begin.start === end.start) d = end.ticks - begin.ticks;
    else {
      d = end.ticks;
      started++;
    }
    ticks += d;
    if (isOurs(end.cmd)) ours += d;
  }
  for (const [pid, begin] of a.procs) {
    const end = b.procs.get(pid);
    if (!end || end.start !== begin.start) exited++;
  }
  return {
    seconds: ticks / CLK_TCK,
    oursSeconds: ours / CLK_TCK,
    processes: b.procs.size,
    startedDuring: started,
    exitedDuring: exited,
  };
}

/** Machine-wide CPU ticks from /proc/stat (all cores): busy (incl. irq/softirq/steal), softirq, idle. */
export function machineTicks(): { busy: number; softirq: number; idle: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number) as number[];
  return {
    busy: (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0),
    softirq: softirq ?? 0,
    idle: (idle ?? 0) + (iowait ?? 0),
  };
}

export const loadAverage = (): number[] => loadavg().map((x) => Number(x.toFixed(2)));
