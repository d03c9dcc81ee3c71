import { randomUUID } from "node:crypto";
import type { IntegrationStats, StatsSummary, TrafficSeries } from "@hip/contracts";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { testApp } from "./app-harness.ts";
import { databaseHarness, ev, type Harness, RETENTION, type Spec, token } from "./support.ts";

const BASE = "/api/integration";
const MINUTE = 60_000;

describe("traffic ingest (POST /traffic) and read model", () => {
  let db: Harness;
  let app: FastifyInstance;
  // The clock the app is given (totals in /stats read the wall clock, so it stays near it).
  const now = Date.now();
  const at = (minutesAgo: number, seconds = 0) =>
    new Date(Math.floor(now / MINUTE) * MINUTE - minutesAgo * MINUTE + seconds * 1000).toISOString();
  const adminA = token({ tenantId: "tenant-a", roles: ["admin"] });
  const viewerA = token({ tenantId: "tenant-a", roles: ["viewer"] });
  const engineA = token({ sub: "mirth-1", tenantId: "tenant-a", roles: ["service"] });
  const serviceNoTenant = token({ sub: "probe-worker", roles: ["service"] });
  const a1: Spec = { id: randomUUID(), tenantId: "tenant-a", name: "ADT", type: "HL7", status: "ACTIVE" };
  const a2: Spec = {
    id: randomUUID(),
    tenantId: "tenant-a",
    name: "Lab",
    type: "LAB_SYSTEM",
    status: "ACTIVE",
  };
  const b1: Spec = {
    id: randomUUID(),
    tenantId: "tenant-b",
    name: "Pay",
    type: "PAYMENT_GATEWAY",
    status: "ACTIVE",
  };

  const report = (integrationId: string, windowStart: string, over: Record<string, unknown> = {}) => ({
    integrationId,
    windowStart,
    windowSeconds: 10,
    received: 10,
    filtered: 1,
    sent: 9,
    errored: 1,
    queued: 3,
    oldestQueuedAgeSeconds: 12,
    acks: { AA: 8, AE: 1 },
    ...over,
  });
  const post = (auth: string | null, body: unknown) =>
    app.inject({
      method: "POST",
      url: `${BASE}/traffic`,
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
      payload: body as Record<string, unknown>,
    });
  const series = async (id: string, query = "") => {
    const res = await app.inject({
      method: "GET",
      url: `${BASE}/stats/integrations/${id}/traffic?from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(-1))}${query}`,
      headers: { authorization: `Bearer ${viewerA}` },
    });
    return res;
  };

  beforeAll(async () => {
    db = await databaseHarness();
    await applyEvents({
      pool: db.pool,
      events: [ev.created(a1, 1), ev.created(a2, 1), ev.created(b1, 1)],
      retention: RETENTION,
    });
    ({ app } = await testApp(db.pool, {}, null, () => now));
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("stores a batch once, rolls it up per minute and hour, and counts a repeat as duplicates", async () => {
    const body = {
      reports: [
        report(a1.id, at(2)),
        report(a1.id, at(2, 10)),
        report(a1.id, at(1), { source: "channel-2", queued: 7, oldestQueuedAgeSeconds: 40 }),
        report(a2.id, at(1), { errored: 0, acks: undefined }),
      ],
    };
    const first = await post(adminA, body);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ accepted: 4, duplicates: 0 });
    const again = await post(adminA, body);
    expect(again.json()).toEqual({ accepted: 0, duplicates: 4 });

    const res = await series(a1.id);
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json() as TrafficSeries;
    expect(s.points).toHaveLength(6);
    const byT = new Map(s.points.map((p) => [p.t, p]));
    expect(byT.get(at(2))).toMatchObject({ received: 20, sent: 18, errored: 2, negativeAcks: 2, reports: 2 });
    expect(byT.get(at(1))).toMatchObject({
      received: 10,
      queuedMax: 7,
      oldestQueuedAgeSecondsMax: 40,
      reports: 1,
    });
    expect(byT.get(at(3))).toMatchObject({ received: 0, reports: 0, queuedMax: null });

    const hour = await series(a1.id, "&bucket=hour");
    const total = (hour.json() as TrafficSeries).points.reduce((n, p) => n + p.received, 0);
    expect(total).toBe(30);
  });

  it("adds traffic totals and error rate to /stats and /stats/integrations/:id", async () => {
    const summary = await app.inject({
      method: "GET",
      url: `${BASE}/stats`,
      headers: { authorization: `Bearer ${viewerA}` },
    });
    expect((summary.json() as StatsSummary).traffic).toEqual({
      received24h: 40,
      sent24h: 36,
      errored24h: 3,
      negativeAcks24h: 3,
      errorRate24h: 15,
    });
    const one = await app.inject({
      method: "GET",
      url: `${BASE}/stats/integrations/${a2.id}`,
      headers: { authorization: `Bearer ${viewerA}` },
    });
    expect((one.json() as IntegrationStats).traffic).toMatchObject({
      received24h: 10,
      errored24h: 0,
      errorRate24h: 0,
    });
  });

  it("is all or nothing: one bad report rejects the batch with 400 naming it, nothing stored", async () => {
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ received: -1 }, "reports.1.received", "min"],
      [{ sent: 1.5 }, "reports.1.sent", "invalid_type"],
      [{ windowSeconds: 61 }, "reports.1.windowSeconds", "max"],
      [{ windowStart: "yesterday" }, "reports.1.windowStart", "datetime"],
      [{ colour: 1 }, "reports.1.colour", "unknown_field"],
      [{ windowStart: new Date(now + 6 * MINUTE).toISOString() }, "reports.1.windowStart", "future"],
      [{ windowStart: new Date(now - 49 * 3_600_000).toISOString() }, "reports.1.windowStart", "too_old"],
    ];
    for (const [over, field, rule] of cases) {
      const res = await post(adminA, { reports: [report(a2.id, at(4)), report(a2.id, at(4, 10), over)] });
      expect(res.statusCode, `${field} ${res.body}`).toBe(400);
      expect(res.json().error.details, res.body).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, rule })]),
      );
    }
    const big = await post(adminA, {
      reports: Array.from({ length: 1001 }, (_, i) => report(a2.id, at(4, i % 60))),
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.details[0].field).toBe("reports");
    const s = (await series(a2.id)).json() as TrafficSeries;
    expect(s.points.find((p) => p.t === at(4))?.reports).toBe(0);
  });

  it("refuses another tenant's or an unknown integration with 404 naming it, nothing stored", async () => {
    for (const id of [b1.id, randomUUID()]) {
      const res = await post(adminA, { reports: [report(a2.id, at(3)), report(id, at(3))] });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.details[0]).toMatchObject({
        field: "reports.1.integrationId",
        rule: "not_found",
      });
    }
    const s = (await series(a2.id)).json() as TrafficSeries;
    expect(s.points.find((p) => p.t === at(3))?.reports).toBe(0);
    const other = await app.inject({
      method: "GET",
      url: `${BASE}/stats/integrations/${b1.id}/traffic`,
      headers: { authorization: `Bearer ${viewerA}` },
    });
    expect(other.statusCode).toBe(404);
  });

  it("accepts a full batch of 1,000 reports with ACK counts and a source in one request", async () => {
    const reports = Array.from({ length: 1000 }, (_, i) =>
      report(a1.id, new Date(now - 30 * MINUTE + i * 1000).toISOString(), {
        source: `engine-7/channel-${String(i % 5).padStart(3, "0")}-outbound-adt-a01`,
        acks: { AA: 8, AE: 1, AR: 0, CA: 0, CE: 0, CR: 0 },
      }),
    );
    const body = { reports };
    expect(JSON.stringify(body).length).toBeGreaterThan(256 * 1024);
    const res = await post(adminA, body);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.json()).toEqual({ accepted: 1000, duplicates: 0 });
  });

  it("accepts a tenant admin or a service token naming the tenant; others are 401/403 before validation", async () => {
    const ok = await post(engineA, { reports: [report(a2.id, at(5))] });
    expect(ok.json()).toEqual({ accepted: 1, duplicates: 0 });
    // The token subject is the default source: the same window from the admin is another source.
    const admin = await post(adminA, { reports: [report(a2.id, at(5))] });
    expect(admin.json()).toEqual({ accepted: 1, duplicates: 0 });
    expect((await post(null, { reports: "bogus" })).statusCode).toBe(401);
    expect((await post("not-a-jwt", { reports: [] })).statusCode).toBe(401);
    expect((await post(viewerA, { reports: [report(a2.id, at(5))] })).statusCode).toBe(403);
    expect((await post(serviceNoTenant, { reports: [report(a2.id, at(5))] })).statusCode).toBe(403);
    const noToken = await app.inject({
      method: "GET",
      url: `${BASE}/stats/integrations/${a1.id}/traffic?bucket=x`,
    });
    expect(noToken.statusCode).toBe(401);
  });

  it("exports traffic series per integration type only", async () => {
    const res = await app.inject({ method: "GET", url: "/metrics" });
    expect(res.body).toMatch(/hip_traffic_messages_total\{type="HL7",kind="received"\} 10030/);
    expect(res.body).toMatch(/hip_traffic_reports_total\{type="LAB_SYSTEM",via="http"\} 3/);
    const traffic = res.body.split("\n").filter((l) => l.startsWith("hip_traffic_"));
    expect(traffic.length).toBeGreaterThan(0);
    for (const line of traffic) expect(line).not.toMatch(/tenant|integration_id|[0-9a-f]{8}-[0-9a-f]{4}-/);
  });
});
