import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { type ConnectionSpec, type ConnectionTestJob, JOB_CATALOG } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeConfigService } from "../testing/fake-config-service.ts";
import { makeSpec } from "../testing/fixtures.ts";
import { KafkaProbe, type RunningWorker, startWorker, testEnv } from "../testing/harness.ts";
import { HttpPeer } from "../testing/http-peer.ts";

/**
 * Accepts connections and never answers (a dead VPN behind a live port). Records when each connection came, so
 * the test can tell how many checks were hanging on it at once (each hangs for its whole timeout).
 */
async function blackHole(): Promise<{ url: string; accepted: number[]; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const accepted: number[] = [];
  const server: Server = createServer((s) => {
    sockets.add(s);
    accepted.push(Date.now());
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/status`,
    accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("one tenant's hanging checks do not take every slot (real Redis + Kafka)", () => {
  const config = new FakeConfigService();
  const peer = new HttpPeer();
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let peerUrl = "";
  let worker: RunningWorker;
  let kafka: KafkaProbe;

  beforeAll(async () => {
    const configUrl = await config.start();
    peerUrl = await peer.start();
    hole = await blackHole();
    const env = await testEnv({
      CONFIG_SERVICE_URL: configUrl,
      RESYNC_ON_START: "false",
      PROBE_CONCURRENCY: "4",
      PROBE_TENANT_MAX_IN_FLIGHT: "2",
    });
    kafka = new KafkaProbe(env);
    await kafka.start();
    worker = await startWorker(env);
  });

  afterAll(async () => {
    await worker?.stop();
    await worker?.runtime.queue.obliterate({ force: true }).catch(() => undefined);
    await kafka?.stop();
    await config.stop();
    await peer.stop();
    await hole?.close();
  });

  /** Puts the check in the wheel due at `at` (a 60 s interval: one slot runs during the test). */
  const scheduleAt = async (spec: ConnectionSpec, at: number) => {
    const wheel = worker.runtime.checkWheel;
    await wheel.upsert({ integrationId: spec.id, tenantId: spec.tenantId, everyMs: 60_000 });
    await worker.runtime.redis.zadd(wheel.keys.due, at, spec.id);
  };

  it("caps the tenant at its share; other tenants' scheduled checks and manual tests run meanwhile", async () => {
    // The wheel's interval matches the spec's, so no check reschedules itself while the test runs.
    const healthCheck = { enabled: true, intervalSeconds: 60 };
    // Tenant "hog": 6 checks against a port that never answers (2 s timeout, no retries), queued first.
    const hogs = Array.from({ length: 6 }, () =>
      makeSpec({ tenantId: "hog", endpoint: hole.url, timeout: 2_000, retryAttempts: 0, healthCheck }),
    );
    // Tenant "calm": two scheduled checks and one manual test against a peer that answers at once.
    const calm = Array.from({ length: 2 }, (_, i) =>
      makeSpec({ tenantId: "calm", endpoint: `${peerUrl}/calm/${i}`, healthCheck }),
    );
    const manual = makeSpec({ tenantId: "calm", endpoint: `${peerUrl}/calm/manual` });
    for (const s of [...hogs, ...calm, manual]) config.specs.set(s.id, s);
    const queue = worker.runtime.queue;
    // The hog's checks are due first, so without the cap they would be claimed and started first.
    const now = Date.now();
    for (const [i, s] of hogs.entries()) await scheduleAt(s, now - 100 + i);
    for (const [i, s] of calm.entries()) await scheduleAt(s, now - 50 + i);
    const test: ConnectionTestJob = {
      integrationId: manual.id,
      tenantId: "calm",
      testId: randomUUID(),
      requestedBy: "admin-1",
    };
    await queue.add("connection-test", test, { ...JOB_CATALOG["connection-test"].opts, jobId: test.testId });

    const completed = () => kafka.status.filter((e) => e.type === "integration.probe_completed");
    await waitFor(() => completed().length >= 9, { what: "all 9 results", timeoutMs: 30_000 });
    const order = completed().map((e) => e.data.tenantId);
    // Without the cap the four slots go to the hog's first four checks and the calm tenant waits for their
    // timeouts; with it, the calm tenant's three results come before the first hanging one gives up.
    expect(order.slice(0, 3)).toEqual(["calm", "calm", "calm"]);
    // At no moment were more than 2 of the hog's checks hanging: a check hangs for its 2 s timeout, so at each
    // connection at most 2 connections (itself included) are younger than that.
    const hanging = hole.accepted.map((t) => hole.accepted.filter((u) => u <= t && t - u < 1_900).length);
    expect(Math.max(...hanging)).toBeLessThanOrEqual(2);
    const hogResults = completed().filter((e) => e.data.tenantId === "hog");
    expect(hogResults).toHaveLength(6);
    expect(hogResults.every((e) => e.data.success === false)).toBe(true);
    // Checks waiting for the tenant's share keep their identity: one event per check.
    expect(new Set(hogResults.map((e) => e.subject)).size).toBe(6);
  });
});
