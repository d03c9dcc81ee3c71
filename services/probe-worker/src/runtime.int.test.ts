import { randomUUID } from "node:crypto";
import { IntegrationProbeCompleted, JOB_CATALOG, schedulerId } from "@hip/contracts";
import { DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualProbeEventId, scheduledProbeEventId } from "./domain/event-id.ts";
import { scheduleOffsetMs } from "./domain/desired-schedule.ts";
import { FakeConfigService } from "./testing/fake-config-service.ts";
import {
  createdEvent,
  deletedEvent,
  makeSpec,
  testRequestedEvent,
  updatedEvent,
} from "./testing/fixtures.ts";
import { KafkaProbe, type RunningWorker, startWorker, testEnv } from "./testing/harness.ts";
import { HttpPeer } from "./testing/http-peer.ts";

describe("probe-worker runtime (real Redis + Kafka)", () => {
  const config = new FakeConfigService();
  const peer = new HttpPeer();
  let peerUrl = "";
  let worker: RunningWorker;
  let kafka: KafkaProbe;

  beforeAll(async () => {
    const configUrl = await config.start();
    peerUrl = await peer.start();
    const env = await testEnv({ CONFIG_SERVICE_URL: configUrl, RESYNC_ON_START: "false" });
    kafka = new KafkaProbe(env);
    await kafka.start();
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker.stop();
    await worker.runtime.queue.obliterate({ force: true }).catch(() => undefined);
    await kafka.stop();
    await config.stop();
    await peer.stop();
  });

  const scheduler = async (id: string) => (await worker.runtime.schedules.get(id)) ?? undefined;
  const dueNow = (id: string) =>
    worker.runtime.redis.zadd(worker.runtime.checkWheel.keys.due, Date.now(), id);

  it("adds, updates and removes one scheduler per integration from config events, ignoring stale replays", async () => {
    const spec = makeSpec({
      endpoint: `${peerUrl}/sched`,
      healthCheck: { enabled: true, intervalSeconds: 30 },
    });
    const created = createdEvent(spec, 10);
    await kafka.send(created);
    const first = await waitFor(() => scheduler(spec.id), { what: "scheduler created", timeoutMs: 30_000 });
    expect(first.every).toBe(30_000);
    expect(first.tenantId).toBe("tenant-a");
    // One wheel entry, due within one interval at the integration's stable phase.
    const due = (await worker.runtime.checkWheel.nextDueAt(spec.id)) ?? 0;
    expect(due).toBeGreaterThan(Date.now() - 1_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 30_000);
    expect(due % 30_000).toBe(scheduleOffsetMs(spec.id, 30_000));

    await kafka.send(
      updatedEvent({ ...spec, version: 2, healthCheck: { enabled: true, intervalSeconds: 45 } }, 11),
    );
    await waitFor(async () => (await scheduler(spec.id))?.every === 45_000, { what: "interval updated" });

    await kafka.send(updatedEvent({ ...spec, version: 3, status: "INACTIVE" }, 12));
    await waitFor(async () => !(await scheduler(spec.id)), { what: "scheduler removed" });

    // A redelivered older event must not resurrect the schedule; a newer one re-adds it.
    const marker = makeSpec();
    await kafka.send(created, updatedEvent({ ...spec, version: 2 }, 11), createdEvent(marker, 1));
    await waitFor(() => scheduler(marker.id), { what: "later event on another key handled" });
    await waitFor(
      async () =>
        (await worker.runtime.metrics.configEvents.get()).values
          .filter((v) => v.labels.outcome === "stale")
          .reduce((sum, v) => sum + v.value, 0) >= 2,
      { what: "stale events counted" },
    );
    expect(await scheduler(spec.id)).toBeUndefined();

    await kafka.send(updatedEvent({ ...spec, version: 4, status: "ERROR" }, 13));
    await waitFor(() => scheduler(spec.id), { what: "ERROR integration scheduled again" });
    await kafka.send(
      updatedEvent({ ...spec, version: 5, healthCheck: { enabled: false, intervalSeconds: 45 } }, 14),
    );
    await waitFor(async () => !(await scheduler(spec.id)), { what: "disabled checks remove the scheduler" });
    await kafka.send(updatedEvent({ ...spec, version: 6 }, 15), deletedEvent({ ...spec, version: 7 }, 16));
    await waitFor(
      async () => {
        const state = await worker.runtime.redis.hget(
          `${worker.runtime.queue.opts.prefix}:probe-worker:state:${spec.id}`,
          "seq",
        );
        return state === "16";
      },
      { what: "delete applied" },
    );
    expect(await scheduler(spec.id)).toBeUndefined();
    expect(await worker.runtime.schedules.count()).toBe(1);
    // The marker's schedule goes too: left behind, its slot could come due during a later test and add a check
    // (and a drift sample) that test does not expect.
    await kafka.send(deletedEvent({ ...marker, version: 2 }, 2));
    await waitFor(async () => !(await scheduler(marker.id)), { what: "marker schedule removed" });
  });

  it("enqueues a connection test once per test id and publishes one well-formed probe_completed event", async () => {
    const spec = makeSpec({ endpoint: `${peerUrl}/manual`, status: "INACTIVE" });
    config.specs.set(spec.id, spec);
    const testId = randomUUID();
    const requested = testRequestedEvent(spec, 20, testId);
    await kafka.send(requested, requested);
    const event = await waitFor(
      () => kafka.status.find((e) => e.type === "integration.probe_completed" && e.data.testId === testId),
      { what: "probe_completed for the test", timeoutMs: 30_000 },
    );
    const parsed = IntegrationProbeCompleted.parse(event);
    expect(parsed.id).toBe(manualProbeEventId(testId));
    expect(parsed.source).toBe("/hip/probe-worker");
    expect(parsed.subject).toBe(spec.id);
    expect(parsed.tenantid).toBe("tenant-a");
    expect(parsed.sequence).toBeGreaterThan(Date.now() * 1000 - 600_000_000);
    expect(parsed.data).toMatchObject({
      integrationId: spec.id,
      tenantId: "tenant-a",
      testId,
      trigger: "manual",
      integrationType: "API",
      probe: "http",
      success: true,
      scheduledAt: null,
      attempts: 1,
      error: null,
    });
    expect(parsed.data.timings.totalMs).toBeGreaterThanOrEqual(0);
    // The same test id redelivered later still does not run again.
    await kafka.send(requested);
    const job = await worker.runtime.queue.getJob(testId);
    expect(job?.opts.priority).toBe(JOB_CATALOG["connection-test"].opts.priority);
    await new Promise((r) => setTimeout(r, 1500));
    expect(peer.hits.get("/manual")).toBe(1);
    expect(kafka.status.filter((e) => e.id === parsed.id)).toHaveLength(1);
  });

  it("runs scheduled checks with a stable event id and the due time", async () => {
    const spec = makeSpec({
      endpoint: `${peerUrl}/scheduled`,
      healthCheck: { enabled: true, intervalSeconds: 60 },
    });
    config.specs.set(spec.id, spec);
    // Made due now, so the test need not wait for the spread slot. A 60 s period keeps a second iteration from
    // starting (and being measured) while the test reads the metrics.
    await worker.runtime.checkWheel.upsert({
      integrationId: spec.id,
      tenantId: spec.tenantId,
      everyMs: 60_000,
    });
    await dueNow(spec.id);
    const event = await waitFor(
      () => kafka.status.find((e) => e.type === "integration.probe_completed" && e.subject === spec.id),
      { what: "scheduled probe_completed", timeoutMs: 30_000 },
    );
    const parsed = IntegrationProbeCompleted.parse(event);
    expect(parsed.data.trigger).toBe("scheduled");
    expect(parsed.data.testId).toBeNull();
    const due = Date.parse(parsed.data.scheduledAt ?? "");
    expect(parsed.id).toBe(scheduledProbeEventId(schedulerId(spec.id), due));
    // The event can reach the test's consumer before the worker resumes after its publish and counts it.
    const metrics = await waitFor(
      async () => {
        const res = await worker.runtime.app.inject({ method: "GET", url: "/metrics" });
        return res.body.includes('trigger="scheduled"} 1') ? res : null;
      },
      { what: "scheduled check counted" },
    );
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(
      /probe_checks_total\{type="API",probe="http",result="success",trigger="scheduled"\} 1/,
    );
    expect(metrics.body).toMatch(/probe_schedule_drift_seconds_count 1/);
    expect(metrics.body).toMatch(/probe_queue_jobs\{state="delayed"\}/);
    expect(metrics.body).toMatch(/probe_wheel_checks\{state="leased"\} \d+/);
    expect(metrics.body).toMatch(/probe_schedulers \d+/);
    expect(metrics.body).toContain("probe_config_consumer_lag");
  });

  it("drops the schedule without publishing when the integration is gone (404 on its spec)", async () => {
    const spec = makeSpec({ endpoint: `${peerUrl}/gone` });
    await kafka.send(createdEvent(spec, 1));
    await waitFor(() => scheduler(spec.id), { what: "scheduler created" });
    // The fake config service answers 404 for this spec: the check must drop the schedule, probing nothing.
    await dueNow(spec.id);
    await waitFor(async () => !(await scheduler(spec.id)), { what: "schedule dropped" });
    expect(await worker.runtime.checkWheel.nextDueAt(spec.id)).toBeNull();
    expect(peer.hits.get("/gone")).toBeUndefined();
    expect(kafka.status.some((e) => e.subject === spec.id)).toBe(false);
  });

  it("every route authenticates at onRequest: no token plus bad input is 401", async () => {
    // Every route of the service, enumerated: without a token and with bad input each answers 401.
    const { PUBLIC_PATHS, routesNotAuthenticatingFirst } = await import("@hip/service-kit");
    const inventory = worker.runtime.app.routeInventory.filter((r) => !PUBLIC_PATHS.test(r.url));
    expect(inventory.length).toBeGreaterThanOrEqual(1);
    expect(inventory.filter((r) => !r.guarded)).toEqual([]);
    expect(await routesNotAuthenticatingFirst(worker.runtime.app)).toEqual([]);
  });

  it("guards POST /admin/resync with a service token", async () => {
    const inject = (token?: string) =>
      worker.runtime.app.inject({
        method: "POST",
        url: "/admin/resync",
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const now = Math.floor(Date.now() / 1000);
    expect((await inject()).statusCode).toBe(401);
    // Authenticated before the body is even parsed: no token and a broken body is still a 401.
    const broken = await worker.runtime.app.inject({
      method: "POST",
      url: "/admin/resync",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(401);
    const tenant = signHs256(
      { sub: "u1", tenantId: "tenant-a", roles: ["admin"], exp: now + 60 },
      DEV_JWT_SECRET,
    );
    expect((await inject(tenant)).statusCode).toBe(404);
    const forged = signHs256(
      { sub: "x", roles: ["service"], exp: now + 60 },
      "another-secret-of-at-least-32-chars!!",
    );
    expect((await inject(forged)).statusCode).toBe(401);
    const service = signHs256({ sub: "ops", roles: ["service"], exp: now + 60 }, DEV_JWT_SECRET);
    const res = await inject(service);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ reason: "admin:ops" });
    expect(res.json().listed).toBe(config.specs.size);
  });
});
