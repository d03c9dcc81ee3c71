import { type RunningService, startService } from "@hip/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "./receivers.ts";
import { API, FakeIntegration, kafkaFor, testEnv, token, waitFor } from "./support.ts";

/**
 * Real processes: a replica is killed with SIGKILL while its deliveries are in flight (the receiver holds the
 * answers). The survivor takes the deliveries over once the lease and the BullMQ lock expire: nothing is lost,
 * and the only duplicates are re-sends of the same key (the crash window). Two healthy replicas send each key once.
 */
describe("two replicas, kill -9 mid-delivery", () => {
  const running: RunningService[] = [];
  let env: Awaited<ReturnType<typeof testEnv>>;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let db: pg.Client;
  let hold = true;
  const waiting: Array<() => void> = [];

  const spawn = async () => {
    const svc = await startService({ name: "alert-service", env: env.source });
    running.push(svc);
    return svc;
  };

  beforeAll(async () => {
    hook = await startReceiver(
      () =>
        new Promise((resolve) => {
          const answer = () => resolve({ status: 200 });
          if (hold) waiting.push(answer);
          else answer();
        }),
    );
    env = await testEnv({
      LOG_LEVEL: "warn",
      ALERT_LOCK_DURATION_MS: "2000",
      ALERT_STALLED_INTERVAL_MS: "1000",
      ALERT_DELIVERY_TIMEOUT_MS: "2000",
      ALERT_REQUEUE_AFTER_MS: "3000",
      ALERT_DELIVERY_CONCURRENCY: "50",
    });
    db = new pg.Client({ connectionString: env.source.DATABASE_URL });
    await db.connect();
    const topics = (await import("@hip/contracts")).topicNames(env.source.KAFKA_TOPIC_PREFIX);
    kafka = await kafkaFor(topics);
  });

  afterAll(async () => {
    hold = false;
    for (const w of waiting.splice(0)) w();
    for (const s of running) await s.stop(5000).catch(() => undefined);
    await kafka?.close();
    await db?.end();
    await hook?.close();
    await env?.database?.drop();
  });

  async function api(svc: RunningService, method: string, path: string, body?: unknown) {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token("t1")}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function breakMany(n: number, prefix: string): Promise<FakeIntegration[]> {
    const topics = (await import("@hip/contracts")).topicNames(env.source.KAFKA_TOPIC_PREFIX);
    const labs = Array.from({ length: n }, (_, i) => new FakeIntegration("t1", `${prefix} ${i}`));
    await kafka.publish(
      topics.config,
      labs.map((l) => l.created()),
    );
    await kafka.publish(
      topics.status,
      labs.map((l) => l.statusChanged("ERROR")),
    );
    return labs;
  }

  const succeeded = async (prefix: string) =>
    (
      await db.query<{ key: string }>(
        `select d.key from alerts.deliveries d join alerts.incidents i on i.id = d.incident_id
         where d.state = 'succeeded' and i.integration_name like $1`,
        [`${prefix} %`],
      )
    ).rows.map((r) => r.key);

  it("loses nothing and re-sends only the same keys when one replica dies mid-delivery", async () => {
    const a = await spawn();
    const ch = await api(a, "POST", `${API}/channels`, {
      name: "hook",
      type: "WEBHOOK",
      config: { url: `${hook.url}/h` },
    });
    expect(ch.status).toBe(201);
    const pol = await api(a, "POST", `${API}/policies`, {
      name: "all",
      integrations: { scope: "all" },
      channelIds: [ch.body.id],
    });
    expect(pol.status).toBe(201);
    const n = 12;
    await breakMany(n, "Crash");
    // Every notice is in flight from replica A (received, not answered) when A dies.
    await waitFor(() => new Set(hook.received.map((r) => r.headers["idempotency-key"])).size === n, {
      what: "A's requests in flight",
      timeoutMs: 60_000,
    });
    await a.kill9();
    hold = false;
    for (const w of waiting.splice(0)) w();
    const afterCrash = hook.received.length;
    const b = await spawn();
    await waitFor(async () => (await succeeded("Crash")).length === n, {
      what: "all delivered by B",
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    const incidents = await db.query<{ id: string }>(
      "select id from alerts.incidents where integration_name like 'Crash %'",
    );
    expect(incidents.rows).toHaveLength(n);
    const expected = new Set(incidents.rows.map((r) => `${r.id}:opened`));
    const keys = hook.received.map((r) => String(r.headers["idempotency-key"]));
    // Nothing lost: every key arrived; nothing else arrived; re-sends carry the same key. (A may have re-sent
    // a key itself before dying: its 2 s timeout expired while the receiver held the answer.)
    expect(new Set(keys)).toEqual(expected);
    // The survivor sends each delivery the dead replica never recorded exactly once.
    const bKeys = hook.received.slice(afterCrash).map((r) => String(r.headers["idempotency-key"]));
    expect(bKeys.sort()).toEqual([...expected].sort());
    // At most one success recorded per key.
    const rows = await db.query<{ n: string }>(
      "select count(*)::text as n from alerts.timeline where kind = 'delivery' and data->>'outcome' = 'success'",
    );
    expect(Number(rows.rows[0]?.n)).toBe(n);
    expect(b.output()).not.toMatch(/"level":"(error|fatal)"/);
  });

  it("two healthy replicas send every key exactly once", async () => {
    const c = await spawn();
    const before = hook.received.length;
    const n = 20;
    await breakMany(n, "Calm");
    await waitFor(async () => (await succeeded("Calm")).length === n, {
      what: "all delivered",
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    const keys = hook.received.slice(before).map((r) => String(r.headers["idempotency-key"]));
    expect(keys).toHaveLength(n);
    expect(new Set(keys).size).toBe(n);
    expect(c.output()).not.toMatch(/"level":"(error|fatal)"/);
  });
});
