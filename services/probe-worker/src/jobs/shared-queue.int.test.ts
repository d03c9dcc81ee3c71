import { randomUUID } from "node:crypto";
import { type ConnectionTestJob, JOB_CATALOG } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeConfigService } from "../testing/fake-config-service.ts";
import { makeSpec } from "../testing/fixtures.ts";
import { updatedEvent } from "../testing/fixtures.ts";
import { KafkaProbe, type RunningWorker, startWorker, testEnv } from "../testing/harness.ts";
import { HttpPeer } from "../testing/http-peer.ts";

describe("two workers sharing one queue and one check wheel (real Redis + Kafka)", () => {
  const config = new FakeConfigService();
  const peer = new HttpPeer();
  let peerUrl = "";
  let a: RunningWorker;
  let b: RunningWorker;
  let kafka: KafkaProbe;

  beforeAll(async () => {
    const configUrl = await config.start();
    peerUrl = await peer.start();
    const env = await testEnv({
      CONFIG_SERVICE_URL: configUrl,
      RESYNC_ON_START: "false",
      PROBE_CONCURRENCY: "8",
    });
    kafka = new KafkaProbe(env);
    await kafka.start();
    [a, b] = await Promise.all([startWorker(env), startWorker(env)]);
  });

  afterAll(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await a.runtime.queue.obliterate({ force: true }).catch(() => undefined);
    await kafka.stop();
    await config.stop();
    await peer.stop();
  });

  it("runs each connection test and each scheduled slot exactly once", async () => {
    const ranBy = { a: 0, b: 0 };
    a.runtime.worker.on("completed", () => ranBy.a++);
    b.runtime.worker.on("completed", () => ranBy.b++);
    const tests = Array.from({ length: 80 }, (_, i) => {
      const spec = makeSpec({ endpoint: `${peerUrl}/t/${i}` });
      config.specs.set(spec.id, spec);
      const data: ConnectionTestJob = {
        integrationId: spec.id,
        tenantId: spec.tenantId,
        testId: randomUUID(),
        requestedBy: "admin-1",
      };
      return data;
    });
    const scheduled = Array.from({ length: 4 }, (_, i) => {
      const spec = makeSpec({
        endpoint: `${peerUrl}/s/${i}`,
        healthCheck: { enabled: true, intervalSeconds: 10 },
      });
      config.specs.set(spec.id, spec);
      return spec;
    });
    // Both workers' queues enqueue; every job id appears twice, as a redelivered event would.
    for (const q of [a.runtime.queue, b.runtime.queue]) {
      await q.addBulk(
        tests.map((data) => ({
          name: "connection-test",
          data,
          opts: { ...JOB_CATALOG["connection-test"].opts, jobId: data.testId },
        })),
      );
    }
    const wheel = a.runtime.checkWheel;
    for (const spec of scheduled) {
      await wheel.upsert({ integrationId: spec.id, tenantId: spec.tenantId, everyMs: 10_000 });
    }
    // Three slots of each, each made due at once, while both workers poll the one wheel.
    for (let round = 1; round <= 3; round++) {
      const at = Date.now();
      for (const spec of scheduled) await a.runtime.redis.zadd(wheel.keys.due, at, spec.id);
      await waitFor(() => scheduled.every((_, i) => (peer.hits.get(`/s/${i}`) ?? 0) >= round), {
        what: `scheduled round ${round}`,
        timeoutMs: 30_000,
      });
    }
    await waitFor(() => tests.every((_, i) => peer.hits.get(`/t/${i}`) === 1), {
      what: "every test ran",
      timeoutMs: 30_000,
    });
    await new Promise((r) => setTimeout(r, 1_000));
    for (const spec of scheduled) await b.runtime.checkWheel.remove(spec.id);
    await new Promise((r) => setTimeout(r, 1_000));

    for (let i = 0; i < tests.length; i++) expect(peer.hits.get(`/t/${i}`)).toBe(1);
    const events = kafka.status.filter((e) => e.type === "integration.probe_completed");
    const manual = events.filter(
      (e) => e.type === "integration.probe_completed" && e.data.trigger === "manual",
    );
    await waitFor(() => kafka.status.length >= tests.length, { what: "events consumed" });
    expect(new Set(manual.map((e) => e.id)).size).toBe(manual.length);
    // Every request made must show up as exactly one event (the last ones may still be in flight).
    await waitFor(
      () =>
        scheduled.every(
          (spec, i) => kafka.status.filter((e) => e.subject === spec.id).length === peer.hits.get(`/s/${i}`),
        ),
      { what: "one event per scheduled request" },
    );
    for (const [i, spec] of scheduled.entries()) {
      const slots = kafka.status.filter((e) => e.subject === spec.id);
      // One request per published slot, one event per slot, no slot twice.
      expect(slots.length).toBeGreaterThanOrEqual(3);
      expect(peer.hits.get(`/s/${i}`)).toBe(slots.length);
      expect(new Set(slots.map((e) => e.id)).size).toBe(slots.length);
    }
    expect(ranBy.a).toBeGreaterThan(0);
    expect(ranBy.b).toBeGreaterThan(0);
  });

  it("drops a cached spec in every worker process when a config event changes it", async () => {
    const spec = makeSpec({ endpoint: `${peerUrl}/cached` });
    config.specs.set(spec.id, spec);
    for (const w of [a, b]) await w.runtime.specs.get(spec.id, async () => spec);
    expect(a.runtime.specs.has(spec.id) && b.runtime.specs.has(spec.id)).toBe(true);
    // Only one of the two owns the event's partition; both must forget the old spec.
    await kafka.send(updatedEvent({ ...spec, version: 2 }, 1));
    await waitFor(() => !a.runtime.specs.has(spec.id) && !b.runtime.specs.has(spec.id), {
      what: "both caches invalidated",
      timeoutMs: 30_000,
    });
  });
});
