import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { waitFor } from "@hip/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env.ts";
import { captureTopics } from "./kafka-support.ts";
import { API, labBody, testEnv, token } from "./support.ts";

const cwd = new URL("..", import.meta.url).pathname;
const admin = token("crash");
let source: Record<string, string>;
let drop: () => Promise<void> = async () => {};
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  const srv = createServer().listen(0);
  await once(srv, "listening");
  const addr = srv.address();
  srv.close();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

/** The real service as a child process (node src/main.ts), like in production. */
async function spawnService(extra: Record<string, string>, opts: { healthy?: boolean } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, ["src/main.ts"], {
    cwd,
    env: { ...process.env, ...source, LOG_LEVEL: "warn", PORT: String(port), ...extra },
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const base = `http://127.0.0.1:${port}`;
  if (opts.healthy !== false)
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`service exited: ${stderr.slice(-2000)}`);
        return (await fetch(`${base}/health`)).ok;
      },
      { timeoutMs: 30_000, what: "service health" },
    );
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${API}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as { id: string } };
  };
  return { child, call };
}

function kill9(child: ChildProcess): Promise<unknown> {
  const exited = child.exitCode !== null ? Promise.resolve() : once(child, "exit");
  child.kill("SIGKILL");
  return exited;
}

beforeAll(async () => {
  // Short lease: the self-killed relay's claimed rows are claimed again 2 s after it died.
  const env = await testEnv({ OUTBOX_POLL_MS: "100", OUTBOX_LEASE_MS: "2000" });
  source = env.source;
  drop = async () => env.database?.drop();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await drop();
});

describe("outbox crash safety (kill -9 between commit and publish)", () => {
  it("publishes every committed change after restarts; duplicates carry the same id", async () => {
    const topics = loadEnv(source);
    // 1. Relay on, killed right after the last 201: some events may be published, some not.
    const a = await spawnService({});
    const capture = await captureTopics({
      config: `${topics.KAFKA_TOPIC_PREFIX}integration.config.v1`,
      status: `${topics.KAFKA_TOPIC_PREFIX}integration.status.v1`,
      incident: `${topics.KAFKA_TOPIC_PREFIX}integration.incident.v1`,
      traffic: `${topics.KAFKA_TOPIC_PREFIX}integration.traffic.v1`,
      deadLetter: `${topics.KAFKA_TOPIC_PREFIX}integration.deadletter.v1`,
    });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        const res = await a.call("POST", "/configs", labBody());
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      await kill9(a.child);

      // 2. Relay off: every change below is committed and certainly unpublished when the process dies.
      const b = await spawnService({ OUTBOX_RELAY_ENABLED: "false" });
      for (const [i, id] of ids.entries()) {
        expect((await b.call("PATCH", `/configs/${id}`, { description: `after crash ${i}` })).status).toBe(
          200,
        );
      }
      await kill9(b.child);

      const db = new pg.Client({ connectionString: source.DATABASE_URL });
      await db.connect();
      try {
        const pending = await db.query("select id from config.outbox where published_at is null");
        expect(pending.rowCount).toBeGreaterThanOrEqual(10);

        // 3. A relay that dies after publishing, before marking: its batch will be published again.
        const c = await spawnService({ OUTBOX_CRASH_AFTER_PUBLISH: "true" }, { healthy: false });
        await waitFor(() => c.child.signalCode === "SIGKILL", { what: "relay self-kill", timeoutMs: 30_000 });

        // 4. A healthy restart drains the rest.
        await spawnService({});
        const committed = await db.query<{ id: string; integration_id: string; sequence: string }>(
          "select id, integration_id, sequence from config.outbox order by integration_id, sequence",
        );
        expect(committed.rowCount).toBe(20);
        const want = new Set(committed.rows.map((r) => r.id));
        await waitFor(() => [...want].every((id) => capture.seen.some((s) => s.event.id === id)), {
          what: "every committed event on Kafka",
          timeoutMs: 30_000,
        });
        const unpublished = await waitFor(async () => {
          const r = await db.query("select count(*)::int as n from config.outbox where published_at is null");
          return r.rows[0]?.n === 0 ? "drained" : null;
        });
        expect(unpublished).toBe("drained");

        // At-least-once: the self-killed relay's batch went out twice, with the same event ids.
        const ids2 = capture.seen.map((s) => s.event.id);
        expect(ids2.length).toBeGreaterThan(new Set(ids2).size);
        // Deduped by id, each integration's events arrive in sequence order.
        for (const id of ids) {
          const firstSeen: number[] = [];
          const dedupe = new Set<string>();
          for (const s of capture.seen) {
            if (s.event.subject !== id || dedupe.has(s.event.id)) continue;
            dedupe.add(s.event.id);
            firstSeen.push(s.event.sequence);
          }
          expect(firstSeen).toEqual([1, 2]);
        }
      } finally {
        await db.end();
      }
    } finally {
      await capture.close();
    }
  });
});
