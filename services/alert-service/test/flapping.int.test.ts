import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cloudEvent, EVENT_SOURCES, type IntegrationProbeCompleted } from "@hip/contracts";
import { type RunningService, runScript, startService } from "@hip/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "./receivers.ts";
import { API, kafkaFor, startAlertService, type TestService, token, waitFor } from "./support.ts";

const TENANT = "tflap";
const admin = token(TENANT);
const MINUTE = 60_000;
const CHECK_EVERY = MINUTE / 2;

/**
 * Issue 12 acceptance: 60 simulated minutes of a peer alternating 200 / 503 (two minutes each), the real config
 * service deciding status with failureThreshold 3 / recoveryThreshold 2, the alert service turning the changes
 * into incidents and notices; then the peer stays up. The clock is simulated: probe results carry the simulated
 * check time, status changes carry it (config service), and the alert service's timers fire at simulated "now".
 * At most one flapping notice and one settled notice, for ~30 status changes.
 */
describe("flapping: one notice when it starts, one when it settles", () => {
  let svc: TestService;
  let config: RunningService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let peer: Server;
  let peerUrl = "";
  let db: pg.Client;
  let database: TestService["database"] = null;
  const start = Date.now();
  let simNow = start;

  /** 503 in the first two minutes of every four, for the first hour; healthy after. */
  const peerStatus = (at: number) => {
    const m = (at - start) / MINUTE;
    return m < 60 && Math.floor(m / 2) % 2 === 0 ? 503 : 200;
  };

  beforeAll(async () => {
    peer = createServer((_req, res) => {
      res.statusCode = peerStatus(simNow);
      res.end();
    });
    await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/health`;
    hook = await startReceiver();
    svc = await startAlertService({}, { clock: () => new Date(simNow) });
    database = svc.database;
    kafka = await kafkaFor(svc.topics);
    const s = svc.source;
    const configEnv = {
      DATABASE_URL: s.DATABASE_URL as string,
      REDIS_URL: s.REDIS_URL as string,
      REDIS_PREFIX: `${s.REDIS_PREFIX}cfg:`,
      KAFKA_BROKERS: s.KAFKA_BROKERS as string,
      KAFKA_TOPIC_PREFIX: s.KAFKA_TOPIC_PREFIX as string,
      JWT_SECRET: s.JWT_SECRET as string,
      OUTBOX_POLL_MS: "200",
    };
    await runScript("config-service", "src/db/migrate.ts", configEnv);
    config = await startService({ name: "config-service", env: configEnv });
    db = new pg.Client({ connectionString: s.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await config?.stop().catch(() => undefined);
    await kafka?.close();
    await db?.end();
    await svc?.close({ keepDatabase: true });
    await database?.drop();
    await hook?.close();
    await new Promise((r) => peer?.close(r));
  });

  /** Waits until the config service applied every probe result sent and the alert service every status change. */
  async function settle(sent: number) {
    await waitFor(
      async () => {
        const r = await db.query<{
          applied: string;
          unpublished: string;
          last: string | null;
          seen: string | null;
        }>(
          `select (select count(*) from config.processed_events) as applied,
                  (select count(*) from config.outbox where published_at is null) as unpublished,
                  (select max(sequence) from config.outbox where event_type = 'integration.status_changed') as last,
                  (select max(status_seq) from alerts.integrations) as seen`,
        );
        const row = r.rows[0];
        const done =
          row &&
          Number(row.applied) >= sent &&
          Number(row.unpublished) === 0 &&
          (row.last === null || Number(row.seen ?? -1) >= Number(row.last));
        if (!done) throw new Error(`not yet: ${JSON.stringify(row)}`);
        return true;
      },
      { what: `${sent} probe results through both services`, timeoutMs: 60_000 },
    );
  }

  async function deliveriesDone() {
    await waitFor(
      async () => {
        const r = await db.query<{ n: string }>(
          "select count(*) as n from alerts.deliveries where state in ('pending', 'sending')",
        );
        return Number(r.rows[0]?.n) === 0 ? true : null;
      },
      { what: "no pending deliveries", timeoutMs: 30_000 },
    );
  }

  const transitions = () =>
    hook.accepted.map((r) => String(r.headers["idempotency-key"]).split(":").slice(1).join(":"));

  it("60 simulated minutes alternating 200/503 (3 failures / 2 successes): one flapping and one settled notice", async () => {
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Ops hook", type: "WEBHOOK", config: { url: `${hook.url}/hooks/hip` } },
    });
    expect(ch.status, ch.raw).toBe(201);
    const bad = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: {
        name: "Bad",
        integrations: { scope: "all" },
        channelIds: [ch.body.id],
        flapping: { changes: 0, windowMinutes: 30, stableMinutes: 15 },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: "flapping.changes" })]);
    const pol = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "All", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    expect(pol.status, pol.raw).toBe(201);
    expect(pol.body.flapping).toEqual({ changes: 4, windowMinutes: 30, stableMinutes: 15 });

    const created = await fetch(`${config.url}/api/integration/configs`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Flaky lab API",
        type: "LAB_SYSTEM",
        endpoint: peerUrl,
        failureThreshold: 3,
        recoveryThreshold: 2,
        healthCheck: { enabled: false, intervalSeconds: 30 },
      }),
    });
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { id: string }).id;

    let seq = 0;
    let sent = 0;
    for (let t = 0; t <= 85 * MINUTE; t += CHECK_EVERY) {
      simNow = start + t;
      // A real check against the real peer, reported the way the probe worker reports it.
      const res = await fetch(peerUrl);
      const success = res.status === 200;
      const checkedAt = new Date(simNow).toISOString();
      const event: IntegrationProbeCompleted = cloudEvent({
        id: randomUUID(),
        type: "integration.probe_completed",
        source: EVENT_SOURCES.probeWorker,
        subject: id,
        tenantId: TENANT,
        sequence: ++seq,
        time: new Date(simNow),
        data: {
          integrationId: id,
          tenantId: TENANT,
          testId: null,
          trigger: "scheduled",
          integrationType: "LAB_SYSTEM",
          probe: "http",
          success,
          latencyMs: 2,
          timings: { dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: 2, totalMs: 2 },
          tls: null,
          error: success ? null : { code: "HTTP_STATUS", message: `HTTP ${res.status}`, stage: "protocol" },
          diagnostics: {},
          attempts: 1,
          scheduledAt: checkedAt,
          checkedAt,
        },
      });
      await kafka.publish(svc.topics.status, [event]);
      sent++;
      if (sent % 10 === 0) {
        await settle(sent);
        await svc.runtime.timers?.fireDue(new Date(simNow));
      }
    }
    await settle(sent);
    await svc.runtime.timers?.fireDue(new Date(simNow));
    await deliveriesDone();

    const changes = await db.query<{ n: string }>(
      "select count(*) as n from config.outbox where event_type = 'integration.status_changed'",
    );
    expect(Number(changes.rows[0]?.n)).toBeGreaterThanOrEqual(28);
    const seen = transitions();
    expect(seen.filter((t) => t === "flapping")).toHaveLength(1);
    expect(seen.filter((t) => t === "settled")).toHaveLength(1);
    // Before flapping is detected (the 5th change in 30 minutes) the first outages page as usual.
    expect(seen.filter((t) => t === "opened").length).toBeLessThanOrEqual(2);
    expect(seen.length).toBeLessThanOrEqual(6);

    const list = await svc.request("GET", `${API}/incidents?integrationId=${id}`, { token: admin });
    const flapped = list.body.data.find((i: { flapping: unknown }) => i.flapping);
    expect(flapped).toMatchObject({
      state: "resolved",
      resolveReason: "recovered",
      flapping: { settledStatus: "ACTIVE", stableMinutes: 15 },
    });
    expect(flapped.flapping.changes).toBeGreaterThan(20);
    const settledBody = hook.accepted.find((r) => String(r.headers["idempotency-key"]).endsWith(":settled"));
    expect(settledBody?.json.incident.state).toBe("resolved");
    const detail = await svc.request("GET", `${API}/incidents/${flapped.id}`, { token: admin });
    const kinds = detail.body.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === "flapping")).toHaveLength(1);
    expect(kinds.filter((k: string) => k === "settled")).toHaveLength(1);
    expect(kinds.filter((k: string) => k === "flap_status").length).toBeGreaterThan(20);
    await waitFor(() =>
      kafka.incidents.some((e) => e.event.type === "incident.settled" && e.key === id) ? true : null,
    );
    expect(kafka.incidents.filter((e) => e.event.type === "incident.flapping")).toHaveLength(1);

    // A restart (new runtime, same database and queue) and more timer passes repeat nothing.
    await svc.close({ keepDatabase: true });
    svc = await startAlertService(
      {
        DATABASE_URL: svc.source.DATABASE_URL as string,
        REDIS_PREFIX: svc.source.REDIS_PREFIX as string,
        KAFKA_TOPIC_PREFIX: svc.source.KAFKA_TOPIC_PREFIX as string,
      },
      { clock: () => new Date(simNow) },
    );
    simNow += 60 * MINUTE;
    expect(await svc.runtime.timers?.fireDue(new Date(simNow))).toBe(0);
    await deliveriesDone();
    expect(transitions()).toEqual(seen);
  });
});
