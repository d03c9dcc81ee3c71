import type { ConnectionTestView, IntegrationView } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, labBody, startService, type TestService, token } from "./support.ts";
import { type Captured, captureTopics, probeCompleted } from "./kafka-support.ts";

let a: TestService;
let b: TestService;
let capture: Awaited<ReturnType<typeof captureTopics>>;
const tenant = "ev";
const admin = token(tenant);
/** Integrations the fake probe worker answers test requests for. */
const answer = new Set<string>();

beforeAll(async () => {
  // Replica A serves requests and relays but does not consume; replica B (same DB and topics) consumes the
  // probe results. So every test result crosses replicas, like in production with two pods.
  a = await startService({ STATUS_CONSUMER_ENABLED: "false" }, { kafka: true });
  b = await startService(
    { DATABASE_URL: a.env.DATABASE_URL, KAFKA_TOPIC_PREFIX: a.env.KAFKA_TOPIC_PREFIX },
    { kafka: true },
  );
  capture = await captureTopics(a.runtime.deps.topics, async (c: Captured) => {
    if (c.event.type !== "integration.test_requested" || !answer.has(c.event.data.integrationId)) return;
    const reply = probeCompleted({
      integrationId: c.event.data.integrationId,
      tenantId: c.event.tenantid,
      success: true,
      testId: c.event.data.testId,
    });
    await capture.producer.send(a.runtime.deps.topics.status, [{ key: reply.subject, value: reply }]);
  });
});
afterAll(async () => {
  await capture?.close();
  await b?.close();
  await a?.close();
});

const eventsOf = (id: string) => capture.seen.filter((c) => c.event.subject === id);
const get = async (id: string) =>
  (await a.request("GET", `${API}/configs/${id}`, { token: admin })).body as IntegrationView;

describe("readiness", () => {
  it("reports postgres, kafka, the status consumer and the outbox; Redis (rate limits only) on /health/details", async () => {
    const res = await waitFor(async () => {
      const r = await b.request("GET", "/ready");
      return r.status === 200 ? r : null;
    });
    expect(res.body).toMatchObject({
      status: "ready",
      checks: { postgres: "ok", rateLimit: "ok", kafka: "ok", statusConsumer: "ok", outbox: "ok" },
    });
    // The state behind the checks: the consumer's group membership and the rate limiter's Redis circuit.
    const details = (await b.request("GET", "/health/details")).body as {
      checks: Record<string, unknown>;
    };
    expect(details.checks.rateLimit).toMatchObject({ redis: { circuit: "closed" } });
    expect(details.checks.statusConsumer).toMatchObject({ status: { state: "joined" } });
  });
});

describe("outbox -> Kafka", () => {
  it("publishes every change in commit order with increasing sequence, keyed by integration id", async () => {
    const created = await a.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ authType: "API_KEY", apiKey: "event-secret-ZZZZ9999" }),
    });
    const id = (created.body as IntegrationView).id;
    await a.request("PATCH", `${API}/configs/${id}`, { token: admin, body: { description: "d2" } });
    await a.request("PATCH", `${API}/configs/${id}`, { token: admin, body: { status: "INACTIVE" } });
    await a.request("DELETE", `${API}/configs/${id}`, { token: admin });
    const events = await waitFor(() => (eventsOf(id).length >= 5 ? eventsOf(id) : null), {
      what: "5 events",
    });
    const config = events.filter((e) => e.topic === a.runtime.deps.topics.config);
    expect(config.map((e) => e.event.type)).toEqual([
      "integration.created",
      "integration.updated",
      "integration.updated",
      "integration.deleted",
    ]);
    expect(config.map((e) => e.event.sequence)).toEqual([1, 2, 3, 5]);
    const status = events.find((e) => e.event.type === "integration.status_changed");
    expect(status?.event).toMatchObject({
      sequence: 4,
      data: { from: "ACTIVE", to: "INACTIVE", reason: "admin" },
    });
    expect(events.every((e) => e.key === id)).toBe(true);
    const updated = config[1]?.event;
    expect(updated?.type === "integration.updated" && updated.data.changedFields).toEqual(["description"]);
    for (const e of events) expect(e.raw).not.toContain("ZZZZ9999");
  });
});

describe("GET /metrics", () => {
  const series = (text: string, name: string) =>
    text.split("\n").filter((l) => l.startsWith(name) && !l.startsWith("#"));

  it("exports request latency by route template, the outbox backlog and the status consumer's lag", async () => {
    const created = await a.request("POST", `${API}/configs`, { token: admin, body: labBody() });
    const id = (created.body as IntegrationView).id;
    await a.request("GET", `${API}/configs/${id}`, { token: admin });
    await waitFor(() => (eventsOf(id).length >= 1 ? true : null), { what: "created event published" });
    const res = await a.request("GET", "/metrics");
    expect(res.status).toBe(200);
    expect(String(res.headers["content-type"])).toContain("text/plain");
    const countLines = series(res.raw, "hip_config_http_request_duration_seconds_count");
    // Route templates, never raw ids: cardinality stays bounded.
    expect(countLines.some((l) => l.includes('route="/api/integration/configs/:id"'))).toBe(true);
    expect(countLines.some((l) => l.includes('method="POST"') && l.includes('status_class="2xx"'))).toBe(
      true,
    );
    expect(res.raw).not.toContain(id);
    // Published: nothing is waiting in the outbox.
    expect(series(res.raw, "hip_config_outbox_backlog ")).toEqual(["hip_config_outbox_backlog 0"]);
    expect(series(res.raw, "hip_config_outbox_oldest_age_seconds ")).toEqual([
      "hip_config_outbox_oldest_age_seconds 0",
    ]);
    // Replica B consumes the status topic; its gauge names the topic.
    const lag = await b.request("GET", "/metrics");
    const lagLines = series(lag.raw, "hip_config_status_consumer_lag");
    expect(lagLines).toHaveLength(1);
    expect(lagLines[0]).toContain(`topic="${b.runtime.deps.topics.status}"`);
  });

  it("counts committed rows no relay has published yet, and their age", async () => {
    const c = await startService(
      { OUTBOX_RELAY_ENABLED: "false", STATUS_CONSUMER_ENABLED: "false" },
      { kafka: true },
    );
    try {
      await c.request("POST", `${API}/configs`, { token: admin, body: labBody() });
      const res = await c.request("GET", "/metrics");
      // One integration.created row, and none published: this replica's own database has no relay.
      expect(series(res.raw, "hip_config_outbox_backlog ")).toEqual(["hip_config_outbox_backlog 1"]);
      const age = Number(series(res.raw, "hip_config_outbox_oldest_age_seconds ")[0]?.split(" ")[1]);
      expect(age).toBeGreaterThan(0);
    } finally {
      await c.close();
    }
  });
});

describe("status consumer (probe results)", () => {
  it("moves ACTIVE -> ERROR after the threshold, dedupes by event id, recovers on success", async () => {
    const created = await a.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ failureThreshold: 2 }),
    });
    const id = (created.body as IntegrationView).id;
    const send = async (e: ReturnType<typeof probeCompleted>) =>
      capture.producer.send(a.runtime.deps.topics.status, [{ key: id, value: e }]);
    const first = probeCompleted({
      integrationId: id,
      tenantId: tenant,
      success: false,
      message: "refused 1",
    });
    await send(first);
    await send(first); // duplicate delivery: applied once
    await waitFor(async () => (await get(id)).consecutiveFailures === 1, { what: "1 failure" });
    expect((await get(id)).status).toBe("ACTIVE");
    await send(probeCompleted({ integrationId: id, tenantId: tenant, success: false, message: "refused 2" }));
    const failed = await waitFor(async () => {
      const v = await get(id);
      return v.status === "ERROR" ? v : null;
    });
    expect(failed).toMatchObject({ consecutiveFailures: 2, lastError: "refused 2" });
    await send(probeCompleted({ integrationId: id, tenantId: tenant, success: true }));
    const ok = await waitFor(async () => {
      const v = await get(id);
      return v.status === "ACTIVE" ? v : null;
    });
    expect(ok.consecutiveFailures).toBe(0);
    expect(ok.lastSyncedAt).not.toBeNull();
    const changes = await waitFor(() => {
      const s = eventsOf(id).filter((e) => e.event.type === "integration.status_changed");
      return s.length >= 2 ? s : null;
    });
    expect(changes.map((c) => c.event.type === "integration.status_changed" && c.event.data.reason)).toEqual([
      "probe_failures",
      "probe_recovered",
    ]);
    const audit = await a.request("GET", `${API}/configs/${id}/audit`, { token: admin });
    const entries = (audit.body as { data: Array<{ action: string; actor: string }> }).data;
    expect(entries.filter((e) => e.action === "status_change").map((e) => e.actor)).toEqual([
      "system",
      "system",
    ]);
  });

  it("leaves INACTIVE integrations' status alone", async () => {
    const created = await a.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ status: "INACTIVE", failureThreshold: 1 }),
    });
    const id = (created.body as IntegrationView).id;
    await capture.producer.send(a.runtime.deps.topics.status, [
      { key: id, value: probeCompleted({ integrationId: id, tenantId: tenant, success: false }) },
    ]);
    const v = await waitFor(async () => {
      const x = await get(id);
      return x.consecutiveFailures === 1 ? x : null;
    });
    expect(v.status).toBe("INACTIVE");
  });
});

describe("POST /configs/:id/test", () => {
  it("answers 200 with the result recorded by the other replica", async () => {
    const created = await a.request("POST", `${API}/configs`, { token: admin, body: labBody() });
    const id = (created.body as IntegrationView).id;
    answer.add(id);
    const res = await a.request("POST", `${API}/configs/${id}/test`, { token: admin });
    expect(res.status, res.raw).toBe(200);
    const view = res.body as ConnectionTestView;
    expect(view).toMatchObject({ integrationId: id, status: "SUCCEEDED", requestedBy: `admin@${tenant}` });
    expect(view.result?.testId).toBe(view.id);
    const history = await a.request("GET", `${API}/configs/${id}/tests`, { token: token(tenant, "viewer") });
    expect((history.body as { data: ConnectionTestView[] }).data.map((t) => t.id)).toEqual([view.id]);
  });

  it("answers 202 with the test id and Location when no result arrives in time; polling then sees it", async () => {
    const created = await a.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ timeout: 100, retryAttempts: 0 }),
    });
    const id = (created.body as IntegrationView).id;
    const res = await a.request("POST", `${API}/configs/${id}/test`, { token: admin });
    expect(res.status).toBe(202);
    const pending = res.body as ConnectionTestView;
    expect(pending.status).toBe("PENDING");
    expect(res.headers.location).toBe(`${API}/configs/${id}/tests/${pending.id}`);
    const requested = await waitFor(() =>
      eventsOf(id).find((e) => e.event.type === "integration.test_requested"),
    );
    expect(requested.event.type === "integration.test_requested" && requested.event.data.waitMs).toBe(2100);
    await capture.producer.send(a.runtime.deps.topics.status, [
      {
        key: id,
        value: probeCompleted({ integrationId: id, tenantId: tenant, success: false, testId: pending.id }),
      },
    ]);
    const done = await waitFor(async () => {
      const r = await a.request("GET", `${API}/configs/${id}/tests/${pending.id}`, { token: admin });
      const t = r.body as ConnectionTestView;
      return t.status !== "PENDING" ? t : null;
    });
    expect(done.status).toBe("FAILED");
    expect(done.result?.error?.code).toBe("ECONNREFUSED");
  });
});
