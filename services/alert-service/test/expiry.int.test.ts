import { randomUUID } from "node:crypto";
import { connect } from "node:tls";
import {
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationProbeCompleted,
  type TlsCertificateInfo,
} from "@hip/contracts";
import { tlsInfoOf } from "@hip/net-guard";
import { type HttpPeer, selfSignedCert, startHttps } from "@hip/simulators";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "./receivers.ts";
import {
  API,
  FakeIntegration,
  kafkaFor,
  startAlertService,
  type TestService,
  token,
  waitFor,
} from "./support.ts";

const TENANT = "texpiry";
const admin = token(TENANT);
const DAY = 86_400_000;

/**
 * Issue 12 acceptance, expiry notices: a real TLS peer whose certificate has 10 days left. The first check gets
 * exactly one 14-day notice (not the 30-day one too); more checks and a restart repeat nothing; the 7-day notice
 * comes when the (simulated) check time reaches it. Real Kafka, Postgres, Redis and webhook receiver.
 */
describe("certificate expiry notices", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let peer: HttpPeer;
  let db: pg.Client;
  let database: TestService["database"] = null;
  let tls: TlsCertificateInfo;
  const start = Date.now();
  let simNow = start;
  const lis = new FakeIntegration(TENANT, "LIS over HTTPS");
  let seq = 0;
  const transitions = () =>
    hook.accepted.map((r) => String(r.headers["idempotency-key"]).split(":").slice(1).join(":"));

  beforeAll(async () => {
    peer = await startHttps((_req, res) => res.end("ok"), selfSignedCert(10));
    tls = await new Promise<TlsCertificateInfo>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port: peer.port, rejectUnauthorized: false }, () => {
        const info = tlsInfoOf(s);
        s.end();
        if (info) resolve(info);
        else reject(new Error("no certificate"));
      });
      s.on("error", reject);
    });
    hook = await startReceiver();
    svc = await startAlertService({}, { clock: () => new Date(simNow) });
    database = svc.database;
    kafka = await kafkaFor(svc.topics);
    db = new pg.Client({ connectionString: svc.source.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await kafka?.close();
    await db?.end();
    await svc?.close({ keepDatabase: true });
    await database?.drop();
    await hook?.close();
    await peer?.close();
  });

  /** A successful check reported at simulated time `at`, carrying the peer's certificate. */
  async function check(at: number) {
    simNow = at;
    const checkedAt = new Date(at).toISOString();
    const e: IntegrationProbeCompleted = cloudEvent({
      id: randomUUID(),
      type: "integration.probe_completed",
      source: EVENT_SOURCES.probeWorker,
      subject: lis.id,
      tenantId: TENANT,
      sequence: ++seq,
      time: new Date(at),
      data: {
        integrationId: lis.id,
        tenantId: TENANT,
        testId: null,
        trigger: "scheduled",
        integrationType: "LAB_SYSTEM",
        probe: "http",
        success: true,
        latencyMs: 4,
        timings: { dnsMs: null, connectMs: 1, tlsMs: 2, firstByteMs: 3, totalMs: 4 },
        tls: { ...tls, daysRemaining: Math.floor((Date.parse(tls.validTo) - at) / DAY) },
        error: null,
        diagnostics: {},
        attempts: 1,
        scheduledAt: checkedAt,
        checkedAt,
      },
    });
    await kafka.publish(svc.topics.status, [e]);
    // The consumer commits in order: a later marker event applied means this one was too.
    const marker = lis.probeFailed();
    marker.time = new Date(at).toISOString();
    await kafka.publish(svc.topics.status, [marker]);
    await waitFor(async () => {
      const r = await db.query("select probe_seq from alerts.integrations where id = $1", [lis.id]);
      return Number(r.rows[0]?.probe_seq ?? -1) >= lis.probeSeq ? true : null;
    });
    await waitFor(async () => {
      const r = await db.query(
        "select count(*)::int as n from alerts.deliveries where state in ('pending','sending')",
      );
      return r.rows[0]?.n === 0 ? true : null;
    });
  }

  it("one 14-day notice at 10 days left, nothing repeated after more checks and a restart, the 7-day one later", async () => {
    expect(tls.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Ops hook", type: "WEBHOOK", config: { url: `${hook.url}/hooks/hip` } },
    });
    const pol = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "All", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    expect(pol.body.expiryDays).toEqual([30, 14, 7, 1]);
    const bad = await svc.request("PATCH", `${API}/policies/${pol.body.id}`, {
      token: admin,
      body: { expiryDays: [0] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe("expiryDays.0");
    await kafka.publish(svc.topics.config, [lis.created()]);
    // The two topics are consumed independently: let the name arrive before the first check.
    await waitFor(async () => {
      const r = await db.query("select name from alerts.integrations where id = $1", [lis.id]);
      return r.rows[0]?.name ? true : null;
    });

    await check(start);
    await check(start + 3_600_000);
    expect(transitions()).toEqual(["expiry-cert-14d"]);
    const body = hook.accepted[0]?.json;
    expect(body).toMatchObject({
      type: "hip.notice.expiry-cert-14d",
      integration: { id: lis.id, name: "LIS over HTTPS" },
      notice: { kind: "cert", threshold: "14d", fingerprint: tls.fingerprint256, expiresAt: tls.validTo },
    });

    await svc.close({ keepDatabase: true });
    svc = await startAlertService(
      {
        DATABASE_URL: svc.source.DATABASE_URL as string,
        REDIS_PREFIX: svc.source.REDIS_PREFIX as string,
        KAFKA_TOPIC_PREFIX: svc.source.KAFKA_TOPIC_PREFIX as string,
      },
      { clock: () => new Date(simNow) },
    );
    await check(start + 2 * 3_600_000);
    expect(transitions()).toEqual(["expiry-cert-14d"]);

    await check(start + 3 * DAY + 3_600_000); // under 7 days left
    await check(start + 3 * DAY + 2 * 3_600_000);
    expect(transitions()).toEqual(["expiry-cert-14d", "expiry-cert-7d"]);
    const rows = await db.query("select threshold, notified from alerts.notices order by created_at");
    expect(rows.rows).toEqual([
      { threshold: "14d", notified: true },
      { threshold: "7d", notified: true },
    ]);
  });

  it("credentialsExpireAt: the reached threshold at once, the next ones from a stored due time, each once", async () => {
    const api = new FakeIntegration(TENANT, "Payer API");
    const t0 = start + 10 * DAY;
    simNow = t0;
    api.credentialsExpireAt = new Date(t0 + 20 * DAY).toISOString();
    await kafka.publish(svc.topics.config, [{ ...api.created(), time: new Date(t0).toISOString() }]);
    const credentialNotices = () => transitions().filter((t) => t.startsWith("expiry-credentials"));
    await waitFor(() => (credentialNotices().length === 1 ? true : null), {
      what: "30-day credentials notice",
    });
    const due = await db.query("select credentials_due_at from alerts.integrations where id = $1", [api.id]);
    expect(new Date(due.rows[0].credentials_due_at).getTime()).toBe(t0 + 6 * DAY); // 14 days before expiry
    simNow = t0 + 5 * DAY;
    await svc.runtime.timers?.fireDue();
    simNow = t0 + 6 * DAY + 60_000;
    await svc.runtime.timers?.fireDue();
    await svc.runtime.timers?.fireDue();
    await waitFor(() => (credentialNotices().length === 2 ? true : null), {
      what: "14-day credentials notice",
    });
    expect(credentialNotices()).toEqual(["expiry-credentials-30d", "expiry-credentials-14d"]);
    const n = await db.query(
      "select count(*)::int as n from alerts.notices where integration_id = $1 and kind = 'credentials'",
      [api.id],
    );
    expect(n.rows[0].n).toBe(2);
  });
});
