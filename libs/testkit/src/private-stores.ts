import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort, REPO_ROOT } from "./processes.ts";

const run = promisify(execFile);

/**
 * A Kafka broker of the caller's own (deploy/kafka.sh on free ports, state in a temp dir), for tests and benches
 * that stop and restart the broker. The shared broker on 9092 is never touched.
 */
export class PrivateKafka {
  readonly port: number;
  readonly controllerPort: number;
  readonly stateDir: string;
  private readonly properties: Record<string, string>;

  private constructor(port: number, controllerPort: number, properties: Record<string, string>) {
    this.port = port;
    this.controllerPort = controllerPort;
    this.properties = properties;
    this.stateDir = mkdtempSync(join(tmpdir(), "hip-kafka-"));
  }

  /** `properties`: extra broker settings (server.properties lines), e.g. `{ "group.max.size": "1" }`. */
  static async create(properties: Record<string, string> = {}): Promise<PrivateKafka> {
    const port = await freePort();
    let controller = await freePort();
    while (controller === port) controller = await freePort();
    return new PrivateKafka(port, controller, properties);
  }

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  private async script(cmd: "start" | "stop"): Promise<void> {
    await run("bash", [`${REPO_ROOT}deploy/kafka.sh`, cmd], {
      env: {
        ...process.env,
        KAFKA_PORT: String(this.port),
        KAFKA_CONTROLLER_PORT: String(this.controllerPort),
        KAFKA_STATE_DIR: this.stateDir,
        KAFKA_HEAP_OPTS: "-Xms128m -Xmx512m",
        KAFKA_EXTRA_PROPERTIES: Object.entries(this.properties)
          .map(([k, v]) => `${k}=${v}`)
          .join("\n"),
      },
      timeout: 180_000,
    });
  }

  /** Starts the broker (or restarts it on the same ports and data) and waits until it serves. */
  start(): Promise<void> {
    return this.script("start");
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 30 s); data stays for the next start. */
  stop(): Promise<void> {
    return this.script("stop");
  }

  /** Stops it and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** A redis-server of the caller's own on a free port (no persistence), started and stopped by PID. */
export class PrivateRedis {
  readonly port: number;
  private pid: number | null = null;

  private constructor(port: number) {
    this.port = port;
  }

  static async create(): Promise<PrivateRedis> {
    return new PrivateRedis(await freePort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  async start(): Promise<void> {
    if (this.pid) return;
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore", detached: false },
    );
    if (!child.pid) throw new Error("redis-server did not start");
    this.pid = child.pid;
    child.unref();
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        const { stdout } = await run("redis-cli", ["-p", String(this.port), "ping"]);
        if (stdout.trim() === "PONG") return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: Redis is gone at once (an outage, not a shutdown). */
  async stop(): Promise<void> {
    if (!this.pid) return;
    const pid = this.pid;
    this.pid = null;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
