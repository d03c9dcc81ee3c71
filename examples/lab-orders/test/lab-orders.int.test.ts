import { createLogger, DEV_JWT_SECRET, shutdownRegistryFor, signHs256 } from "@hip/service-kit";
import { type MllpPeer, startMllp } from "@hip/simulators";
import {
  createTestDatabase,
  freePort,
  getTestStack,
  type RunningService,
  runScript,
  startService,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env.ts";
import type { Order } from "../src/orders.ts";
import { createRuntime, type Runtime } from "../src/runtime.ts";

const TENANT = "lab-hosp";
const admin = signHs256({ sub: "lab-admin", tenantId: TENANT, roles: ["admin"] }, DEV_JWT_SECRET, {
  ttlSeconds: 3600,
});
const otherTenant = signHs256({ sub: "x", tenantId: "someone-else", roles: ["admin"] }, DEV_JWT_SECRET, {
  ttlSeconds: 3600,
});

/**
 * The example end to end on the real stack: config-service, probe-worker, stats-service and alert-service as
 * processes on real PostgreSQL, Redis and Kafka; the LIS is a real HL7 v2 MLLP listener that the test takes down
 * and brings back on the same port; statuses come from the probe worker's checks through the config service, the
 * incident from the alert service.
 */
describe("lab-orders holds orders while its LIS is down and releases them when it recovers", () => {
  let db: TestDatabase;
  const services: RunningService[] = [];
  let config: RunningService;
  let lis: MllpPeer | null = null;
  let lisPort: number;
  let lisId: string;
  let runtime: Runtime;
  const logger = createLogger({ name: "lab-orders-test", level: "error" });

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${config.url}/api/integration${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const orders = async (method: "GET" | "POST", body?: unknown, token = admin) =>
    runtime.app.inject({
      method,
      url: "/orders",
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
    });
  const orderMessages = () => (lis?.received ?? []).filter((m) => m.includes("ORM^O01"));

  beforeAll(async () => {
    const stack = await getTestStack();
    db = await createTestDatabase("laborders");
    lisPort = await freePort();
    lis = await startMllp({ port: lisPort, application: "LIS" });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: uniqueRedisPrefix(),
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
      LOG_LEVEL: "warn",
    };
    await runScript("config-service", "src/db/migrate.ts", env);
    await runScript("stats-service", "src/db/migrate.ts", env);
    await runScript("alert-service", "src/db/migrate.ts", env);
    const configPort = await freePort();
    const started = await Promise.allSettled([
      startService({ name: "config-service", env, port: configPort, readyTimeoutMs: 90_000 }),
      startService({ name: "stats-service", env, readyTimeoutMs: 90_000 }),
      startService({
        name: "probe-worker",
        env: { ...env, CONFIG_SERVICE_URL: `http://127.0.0.1:${configPort}`, RESYNC_INTERVAL_MS: "600000" },
        readyTimeoutMs: 90_000,
      }),
      // Opens an incident when the LIS turns ERROR and resolves it on recovery (integration.incident.v1).
      startService({ name: "alert-service", env: { ...env, OUTBOX_POLL_MS: "200" }, readyTimeoutMs: 90_000 }),
    ]);
    for (const r of started) if (r.status === "fulfilled") services.push(r.value);
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    config = services[0] as RunningService;
    const stats = services[1] as RunningService;

    const created = await api("POST", "/configs", {
      name: "LIS orders (HL7 v2)",
      type: "HL7",
      provider: "LIS",
      endpoint: `mllp://127.0.0.1:${lisPort}`,
      authType: "NONE",
      timeout: 3000,
      retryAttempts: 0,
      failureThreshold: 1,
      healthCheck: { enabled: false, intervalSeconds: 300 },
    });
    expect(created.status).toBe(201);
    lisId = String(created.body.id);
    expect((await api("POST", `/configs/${lisId}/test`)).status).toBeLessThan(300);

    runtime = await createRuntime(
      loadEnv({
        NODE_ENV: "test",
        LOG_LEVEL: "warn",
        KAFKA_BROKERS: env.KAFKA_BROKERS,
        KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
        STATS_SERVICE_URL: stats.url,
        TENANT_ID: TENANT,
        LIS_INTEGRATION_ID: lisId,
        LIS_ENDPOINT: `mllp://127.0.0.1:${lisPort}`,
        HELD_RETRY_INTERVAL_MS: "600000",
      }),
      logger,
    );
    await runtime.start();
  });

  afterAll(async () => {
    if (runtime) {
      await shutdownRegistryFor(runtime, logger).shutdown("test");
    }
    for (const s of services.reverse()) await s.stop();
    await lis?.close();
    await db?.drop();
  });

  it("sends at once while the LIS is ACTIVE", async () => {
    await waitFor(() => runtime.status.get(lisId)?.status === "ACTIVE", { what: "LIS ACTIVE in the client" });
    const res = await orders("POST", { patientId: "MRN-1", test: "CBC" });
    expect(res.statusCode).toBe(201);
    const order = res.json() as Order;
    expect(order).toMatchObject({ state: "sent", heldBecause: null });
    expect(orderMessages().some((m) => m.includes(`ORC|NW|${order.id}`))).toBe(true);
  });

  it("holds orders, in arrival order, while the LIS is down (ERROR after a failed check)", async () => {
    await lis?.close();
    lis = null;
    await api("POST", `/configs/${lisId}/test`);
    await waitFor(() => runtime.status.get(lisId)?.status === "ERROR", {
      what: "LIS ERROR in the client",
      timeoutMs: 60_000,
    });
    // The alert service's incident reaches the client through integration.incident.v1.
    await waitFor(() => runtime.status.get(lisId)?.incident?.state === "open", {
      what: "open incident in the client",
      timeoutMs: 60_000,
    });
    const first = await orders("POST", { patientId: "MRN-2", test: "Glucose" });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ state: "held", heldBecause: "INTEGRATION_UNAVAILABLE" });
    const second = await orders("POST", { patientId: "MRN-3", test: "HbA1c" });
    expect(second.json()).toMatchObject({ state: "held" });
    const lisView = await runtime.app.inject({
      url: "/lis",
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(lisView.json()).toMatchObject({ lis: { status: "ERROR", available: false } });
  });

  it("releases the held orders, in order, once the LIS is back and a check succeeds", async () => {
    lis = await startMllp({ port: lisPort, application: "LIS" });
    await api("POST", `/configs/${lisId}/test`);
    const all = await waitFor(
      async () => {
        const list = (await orders("GET")).json() as { data: Order[] };
        return list.data.every((o) => o.state === "sent") ? list.data : null;
      },
      { what: "held orders released", timeoutMs: 60_000 },
    );
    expect(all).toHaveLength(3);
    // Released only once both the status recovered and the incident was resolved.
    expect(runtime.status.get(lisId)).toMatchObject({ status: "ACTIVE", incident: null, available: true });
    const released = orderMessages().map((m) => /ORC\|NW\|([^\r|]+)/.exec(m)?.[1]);
    expect(released).toEqual([all[1]?.id, all[2]?.id]);
  });

  it("answers only its own tenant", async () => {
    expect((await orders("GET", undefined, otherTenant)).statusCode).toBe(404);
    expect((await runtime.app.inject({ url: "/orders" })).statusCode).toBe(401);
    const bad = await orders("POST", { patientId: "" });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain("patientId");
  });
});
