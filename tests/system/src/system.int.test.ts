import { randomBytes } from "node:crypto";
import { topicNames } from "@hip/contracts";
import { DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import {
  createTestDatabase,
  getTestStack,
  type RunningService,
  runScript,
  startService,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";
import { Kafka, logLevel } from "kafkajs";
import { type AuthApiPeer, type MllpPeer, startAuthApi, startMllp } from "@hip/simulators";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "./otlp-receiver.ts";

/**
 * The whole platform, as a user meets it: the three back-end services as real processes on real PostgreSQL, Redis
 * and Kafka, probing real peers on loopback. Nothing is stubbed.
 */
function token(claims: Record<string, unknown>): string {
  return signHs256(claims, DEV_JWT_SECRET, { ttlSeconds: 3600 });
}

const ADMIN_T1 = token({ sub: "alice", tenantId: "t1", roles: ["admin"] });
const VIEWER_T2 = token({ sub: "bob", tenantId: "t2", roles: ["viewer"] });
const API_KEY = "peer-api-key-9f8e7d6c5b4a";

describe("platform end to end", () => {
  let db: TestDatabase;
  const services: RunningService[] = [];
  let config: RunningService;
  let stats: RunningService;
  let httpPeer: AuthApiPeer;
  let mllpPeer: MllpPeer;
  const topicPrefix = uniqueTopicPrefix();
  let env: Record<string, string>;
  let otlp: OtlpReceiver;
  let hl7Id = "";

  const api = async (svc: RunningService, path: string, init: RequestInit & { auth?: string } = {}) => {
    const res = await fetch(`${svc.url}/api/integration${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${init.auth ?? ADMIN_T1}`,
        ...(init.body ? { "content-type": "application/json" } : {}),
        ...(init.headers ?? {}),
      },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };

  beforeAll(async () => {
    const stack = await getTestStack();
    db = await createTestDatabase("hip_system");
    otlp = await startOtlpReceiver();
    env = {
      // Every service exports its spans to the receiver (OTLP/HTTP, JSON), flushing every 200 ms.
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: "200",
      DATABASE_URL: db.url,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: uniqueRedisPrefix(),
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      LOG_LEVEL: "info",
    };
    await runScript("config-service", "src/db/migrate.ts", env);
    await runScript("stats-service", "src/db/migrate.ts", env);
    config = await startService({ name: "config-service", env });
    services.push(config);
    stats = await startService({ name: "stats-service", env });
    services.push(stats);
    services.push(
      await startService({
        name: "probe-worker",
        env: { ...env, CONFIG_SERVICE_URL: config.url, RESYNC_INTERVAL_MS: "600000" },
      }),
    );
    httpPeer = await startAuthApi({ auth: { type: "API_KEY", key: API_KEY } });
    mllpPeer = await startMllp({ ackCode: "AA" });
  });

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await httpPeer?.close();
    await mllpPeer?.close();
    await otlp?.close();
    await db?.drop();
  });

  let httpId = "";

  it("creates an HTTP integration with an API key and tests it through Kafka, the worker and the real peer", async () => {
    const created = await api(config, "/configs", {
      method: "POST",
      body: JSON.stringify({
        name: "Lab results API",
        type: "LAB_SYSTEM",
        provider: "Quest",
        endpoint: `http://127.0.0.1:${httpPeer.port}/health`,
        authType: "API_KEY",
        apiKey: API_KEY,
        timeout: 2000,
        retryAttempts: 0,
        failureThreshold: 1,
        healthCheck: { enabled: true, intervalSeconds: 10 },
      }),
    });
    expect(created.status, created.text).toBe(201);
    httpId = created.body.id;
    expect(created.text).not.toContain(API_KEY);
    expect(created.body.apiKey).toBe(`****${API_KEY.slice(-4)}`);

    let test = await api(config, `/configs/${httpId}/test`, { method: "POST" });
    expect([200, 202], test.text).toContain(test.status);
    const testId = test.body.id ?? test.body.testId;
    if (test.status === 202) {
      test = await waitFor(
        async () => {
          const t = await api(config, `/configs/${httpId}/tests/${testId}`);
          return t.body?.status !== "PENDING" ? t : null;
        },
        { timeoutMs: 30_000, what: "test result" },
      );
    }
    expect(test.body.status, test.text).toBe("SUCCEEDED");
    expect(test.body.result.success).toBe(true);
    expect(test.body.result.probe).toBe("http");
    expect(test.body.result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(httpPeer.hits()).toBeGreaterThan(0);
  });

  it("probes an HL7 v2 interface over MLLP and reports the ACK", async () => {
    const created = await api(config, "/configs", {
      method: "POST",
      body: JSON.stringify({
        name: "ADT feed",
        type: "HL7",
        endpoint: `mllp://127.0.0.1:${mllpPeer.port}`,
        timeout: 2000,
        retryAttempts: 0,
        healthCheck: { enabled: false, intervalSeconds: 300 },
      }),
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.id;
    hl7Id = id;
    const first = await api(config, `/configs/${id}/test`, { method: "POST" });
    const testId = first.body.id ?? first.body.testId;
    const done = await waitFor(
      async () => {
        const t = await api(config, `/configs/${id}/tests/${testId}`);
        return t.body?.status !== "PENDING" ? t : null;
      },
      { timeoutMs: 30_000, what: "HL7 test result" },
    );
    expect(done.body.status, done.text).toBe("SUCCEEDED");
    expect(done.body.result.probe).toBe("hl7-mllp");
    expect(JSON.stringify(done.body.result.diagnostics)).toContain("AA");
    expect(mllpPeer.hits()).toBeGreaterThan(0);
  });

  it("follows one connection test in one trace: admin's request -> probe -> status -> read model", async () => {
    const traceId = randomBytes(16).toString("hex");
    const test = await api(config, `/configs/${hl7Id}/test`, {
      method: "POST",
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    });
    expect([200, 202], test.text).toContain(test.status);
    const spans = await waitFor(
      () => {
        const mine = otlp.spans.filter((s) => s.traceId === traceId);
        // Every span asserted below: each service exports on its own schedule (a stats span of another kind can
        // arrive before the projection's).
        const names = [
          "POST /api/integration/configs/:id/test",
          "probe HL7",
          "apply integration.probe_completed",
          "project integration.probe_completed",
        ];
        return names.every((n) => mine.some((s) => s.name.startsWith(n))) ? mine : null;
      },
      { timeoutMs: 30_000, what: "the request, probe, apply and project spans of the test" },
    );
    const byName = (prefix: string) => spans.find((s) => s.name.startsWith(prefix));
    const request = byName("POST /api/integration/configs/:id/test");
    const probe = byName("probe HL7");
    const applied = byName("apply integration.probe_completed");
    const projected = byName("project integration.probe_completed");
    expect(request?.service).toBe("config-service");
    expect(probe?.service).toBe("probe-worker");
    expect(applied?.service).toBe("config-service");
    expect(projected?.service).toBe("stats-service");
    // Parent links: the request span -> probe (through test_requested and the job) -> apply and project
    // (through probe_completed).
    expect(probe?.parentSpanId).toBe(request?.spanId);
    expect(applied?.parentSpanId).toBe(probe?.spanId);
    expect(projected?.parentSpanId).toBe(probe?.spanId);
  });

  it("turns ERROR when the peer goes down, and the stats read model follows", async () => {
    await httpPeer.close();
    const errored = await waitFor(
      async () => {
        const r = await api(config, `/configs/${httpId}`);
        return r.body?.status === "ERROR" ? r : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "status ERROR from scheduled checks" },
    );
    expect(errored.body.lastError).toMatch(/refused/i);
    const summary = await waitFor(
      async () => {
        const s = await api(stats, "/stats");
        return s.status === 200 && s.body.error >= 1 ? s : null;
      },
      { timeoutMs: 30_000, what: "stats error count" },
    );
    expect(summary.body.total).toBe(2);
    expect(summary.body.performance.checks24h).toBeGreaterThanOrEqual(2);
  });

  it("keeps tenants apart in both services", async () => {
    expect((await api(config, `/configs/${httpId}`, { auth: VIEWER_T2 })).status).toBe(404);
    expect((await api(stats, `/stats/integrations/${httpId}`, { auth: VIEWER_T2 })).status).toBe(404);
    const t2 = await api(stats, "/stats", { auth: VIEWER_T2 });
    expect(t2.body.total).toBe(0);
  });

  it("never puts the secret on Kafka or in any service's logs", async () => {
    const stack = await getTestStack();
    const kafka = new Kafka({
      clientId: "system-reader",
      brokers: stack.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const topics = topicNames(topicPrefix);
    const admin = kafka.admin();
    await admin.connect();
    const ends = await Promise.all([topics.config, topics.status].map((t) => admin.fetchTopicOffsets(t)));
    await admin.disconnect();
    const expected = ends.flat().reduce((n, p) => n + Number(p.high), 0);
    const consumer = kafka.consumer({ groupId: `${topicPrefix}system-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.config, topics.status], fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? ""),
    });
    await waitFor(() => values.length >= expected, { what: "all messages", timeoutMs: 30_000 });
    await consumer.disconnect();
    expect(values.length).toBeGreaterThan(4);
    for (const v of values) expect(v).not.toContain(API_KEY);
    for (const s of services) expect(s.output()).not.toContain(API_KEY);
  });
});
