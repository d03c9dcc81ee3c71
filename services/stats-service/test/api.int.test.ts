import { randomUUID } from "node:crypto";
import type { AnyEvent, IntegrationStats, StatsSummary, Timeseries } from "@hip/contracts";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GROWTH } from "../src/domain/histogram.ts";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { testApp } from "./app-harness.ts";
import { databaseHarness, ev, type Harness, RETENTION, type Spec, token } from "./support.ts";

const BASE = "/api/integration";
const exactPercentile = (values: number[], p: number) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] ?? Number.NaN;
};
const within = (got: number | null, exact: number) => {
  expect(got).not.toBeNull();
  expect(got ?? 0).toBeGreaterThanOrEqual(exact - 0.001);
  expect(got ?? 0).toBeLessThanOrEqual(exact * GROWTH + 0.001);
};

describe("stats API", () => {
  let db: Harness;
  let app: FastifyInstance;
  const now = Date.now();
  const minsAgo = (m: number) => new Date(now - m * 60_000);
  const viewerA = token({ tenantId: "tenant-a", roles: ["viewer"] });
  const adminB = token({ tenantId: "tenant-b", roles: ["admin"] });
  const service = token({ sub: "probe-worker", roles: ["service"] });
  const a1: Spec = { id: randomUUID(), tenantId: "tenant-a", name: "HL7", type: "HL7", status: "ACTIVE" };
  const a2: Spec = { id: randomUUID(), tenantId: "tenant-a", name: "FHIR", type: "FHIR", status: "ACTIVE" };
  const b1: Spec = {
    id: randomUUID(),
    tenantId: "tenant-b",
    name: "Pay",
    type: "PAYMENT_GATEWAY",
    status: "ACTIVE",
  };

  // Deterministic pseudo-random latencies for a1 over the last 23 h (every 7 min), ~10 % failures.
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const a1Checks = Array.from({ length: 190 }, (_, i) => ({
    success: rnd() > 0.1,
    latencyMs: Math.round(Math.exp(2 + rnd() * 5) * 100) / 100,
    checkedAt: minsAgo(5 + i * 7),
  }));
  // Older checks (2-5 days ago): only in the 7 d and 30 d windows.
  const a1Older = Array.from({ length: 40 }, (_, i) => ({
    success: i % 4 !== 0,
    latencyMs: 200 + i,
    checkedAt: minsAgo(60 * 48 + i * 90),
  }));

  const get = (url: string, auth?: string) =>
    app.inject({
      method: "GET",
      url: `${BASE}${url}`,
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
    });

  beforeAll(async () => {
    db = await databaseHarness();
    ({ app } = await testApp(db.pool, { METRICS_TOP_TENANTS: "1" }));
    const events: AnyEvent[] = [
      ev.created(a1, 1, minsAgo(60 * 24 * 6)),
      ev.created(a2, 1, minsAgo(60 * 24 * 6)),
      ev.created(b1, 1, minsAgo(60 * 24 * 6)),
      ev.statusChanged(a2, 2, "ACTIVE", "ERROR", minsAgo(90)),
      ...[...a1Checks, ...a1Older].map((c, i) => ev.probe(a1, i + 1, c)),
      ev.probe(b1, 1, { success: true, latencyMs: 99, checkedAt: minsAgo(3) }),
    ];
    // Several batches, as the consumer would deliver them.
    for (let i = 0; i < events.length; i += 50) {
      await applyEvents({ pool: db.pool, events: events.slice(i, i + 50), retention: RETENTION, now });
    }
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it("GET /stats answers the tenant's totals and 24 h performance", async () => {
    const res = await get("/stats", viewerA);
    expect(res.statusCode).toBe(200);
    const body = res.json<StatsSummary>();
    expect(body).toMatchObject({ total: 2, active: 1, error: 1, inactive: 0, testing: 0 });
    expect(body.byStatus).toEqual({ ACTIVE: 1, INACTIVE: 0, ERROR: 1, TESTING: 0 });
    const ok = a1Checks.filter((c) => c.success).length;
    expect(body.performance.checks24h).toBe(a1Checks.length);
    expect(body.performance.successRate24h).toBeCloseTo((ok / a1Checks.length) * 100, 2);
    within(
      body.performance.p95LatencyMs,
      exactPercentile(
        a1Checks.map((c) => c.latencyMs),
        0.95,
      ),
    );
    const other = await get("/stats", adminB);
    expect(other.json<StatsSummary>()).toMatchObject({ total: 1, active: 1 });
    expect(other.json<StatsSummary>().performance.checks24h).toBe(1);
  });

  it("GET /stats/integrations/:id: uptime and percentiles match exact values within the histogram bound", async () => {
    const res = await get(`/stats/integrations/${a1.id}`, viewerA);
    expect(res.statusCode).toBe(200);
    const body = res.json<IntegrationStats>();
    const pct = (xs: Array<{ success: boolean }>) => (xs.filter((c) => c.success).length / xs.length) * 100;
    expect(body.uptime.h24).toBeCloseTo(pct(a1Checks), 2);
    expect(body.uptime.d7).toBeCloseTo(pct([...a1Checks, ...a1Older]), 2);
    expect(body.uptime.d30).toBeCloseTo(pct([...a1Checks, ...a1Older]), 2);
    expect(body.checks).toEqual({ h24: a1Checks.length, d7: 230, d30: 230 });
    const lat = a1Checks.map((c) => c.latencyMs);
    within(body.latency24h.p50, exactPercentile(lat, 0.5));
    within(body.latency24h.p95, exactPercentile(lat, 0.95));
    within(body.latency24h.p99, exactPercentile(lat, 0.99));
    expect(body.recentChecks).toHaveLength(20);
    expect(body.recentChecks[0]?.checkedAt).toBe(minsAgo(5).toISOString());
    expect(body.lastCheckAt).toBe(minsAgo(5).toISOString());
    const a2res = (await get(`/stats/integrations/${a2.id}`, viewerA)).json<IntegrationStats>();
    expect(a2res.status).toBe("ERROR");
    expect(a2res.timeInCurrentStateSeconds).toBeGreaterThanOrEqual(90 * 60);
    expect(a2res.uptime.h24).toBeNull();
  });

  it("GET /stats/integrations?ids= returns the caller's rows only", async () => {
    const res = await get(`/stats/integrations?ids=${a1.id},${b1.id},${a2.id}`, viewerA);
    expect(res.statusCode).toBe(200);
    const rows = res.json<{ data: Array<{ integrationId: string; checks24h: number }> }>().data;
    expect(rows.map((r) => r.integrationId)).toEqual([a1.id, a2.id]);
    expect(rows[0]?.checks24h).toBe(a1Checks.length);
    const bad = await get("/stats/integrations?ids=nope", viewerA);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toContain("ids");
  });

  it("GET /stats/timeseries buckets checks, failures and percentiles", async () => {
    const from = new Date(now - 6 * 3_600_000).toISOString();
    const res = await get(`/stats/timeseries?bucket=hour&from=${from}&integrationId=${a1.id}`, viewerA);
    expect(res.statusCode).toBe(200);
    const ts = res.json<Timeseries>();
    expect(ts.points.length).toBeGreaterThanOrEqual(6);
    const inRange = a1Checks.filter((c) => c.checkedAt.getTime() >= Date.parse(ts.points[0]?.t ?? ""));
    expect(ts.points.reduce((s, p) => s + p.checks, 0)).toBe(inRange.length);
    expect(ts.points.reduce((s, p) => s + p.failures, 0)).toBe(inRange.filter((c) => !c.success).length);
    const byType = (await get(`/stats/timeseries?bucket=day&type=HL7`, viewerA)).json<Timeseries>();
    expect(byType.points.reduce((s, p) => s + p.checks, 0)).toBeGreaterThan(0);
    const minute = await get(
      `/stats/timeseries?bucket=minute&from=${new Date(now - 86_400_000 * 3).toISOString()}`,
      viewerA,
    );
    expect(minute.statusCode).toBe(400);
    expect((await get("/stats/timeseries?bucket=week", viewerA)).statusCode).toBe(400);
  });

  describe("tenant isolation and auth on every endpoint", () => {
    const urls = () => [
      "/stats",
      `/stats/integrations/${a1.id}`,
      `/stats/integrations?ids=${a1.id}`,
      "/stats/timeseries",
      `/stats/timeseries?integrationId=${a1.id}`,
      "/stats/stream",
    ];
    it("401 without a token or with a bad one, 403 for a service token", async () => {
      for (const url of urls()) {
        expect((await get(url)).statusCode, url).toBe(401);
        expect((await get(url, `${viewerA}x`)).statusCode, url).toBe(401);
        expect((await get(url, service)).statusCode, url).toBe(403);
      }
    });
    it("authenticates before validating: no token and bad input is a 401, not a 400", async () => {
      for (const url of [
        "/stats/timeseries?bucket=bogus",
        "/stats/integrations/not-a-uuid",
        "/stats/integrations?ids=nope",
        `/stats/stream?lastEventId=${"x".repeat(100)}`,
      ]) {
        const res = await get(url);
        expect(res.statusCode, url).toBe(401);
        expect(res.json().error.code, url).toBe("UNAUTHORIZED");
      }
    });
    it("another tenant's integration is 404 or absent", async () => {
      expect((await get(`/stats/integrations/${a1.id}`, adminB)).statusCode).toBe(404);
      expect((await get(`/stats/timeseries?integrationId=${a1.id}`, adminB)).statusCode).toBe(404);
      const list = await get(`/stats/integrations?ids=${a1.id},${a2.id}`, adminB);
      expect(list.json()).toEqual({ data: [] });
      const ts = (await get("/stats/timeseries?bucket=day&type=HL7", adminB)).json<Timeseries>();
      expect(ts.points.every((p) => p.checks === 0)).toBe(true);
    });
  });

  it("/metrics exports bounded tenant labels, freshness and docs are served", async () => {
    const res = await app.inject({ method: "GET", url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('hip_stats_integrations{tenant="tenant-a",type="HL7",status="ACTIVE"} 1');
    expect(res.body).toContain('tenant="other"');
    expect(res.body).not.toContain('tenant="tenant-b"');
    expect(res.body).toMatch(/hip_stats_read_model_freshness_seconds \d/);
    const docs = await app.inject({ method: "GET", url: "/docs/json" });
    expect(docs.json().paths).toHaveProperty(`${BASE}/stats/timeseries`);
  });
});
