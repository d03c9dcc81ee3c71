import type { StatusEvent } from "@hip/contracts";
import { PrivateKafka, waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeConfigService } from "./testing/fake-config-service.ts";
import { createdEvent, makeSpec } from "./testing/fixtures.ts";
import { KafkaProbe, type RunningWorker, startWorker, testEnv } from "./testing/harness.ts";
import { HttpPeer } from "./testing/http-peer.ts";

const INTERVAL_S = 10; // the shortest interval the job contract accepts
const OUTAGE_MS = 25_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A broker of this file's own (free ports, temp data dir): the test stops it. The shared 9092 is never touched.
describe("Kafka outage (own broker, stopped and restarted)", () => {
  const broker = PrivateKafka.create();
  const config = new FakeConfigService();
  const peer = new HttpPeer();
  let worker: RunningWorker;
  let kafka: KafkaProbe;
  let kafkaBroker: PrivateKafka;
  let peerUrl = "";

  beforeAll(async () => {
    kafkaBroker = await broker;
    await kafkaBroker.start();
    const configUrl = await config.start();
    peerUrl = await peer.start();
    const env = await testEnv({
      CONFIG_SERVICE_URL: configUrl,
      RESYNC_ON_START: "false",
      KAFKA_BROKERS: kafkaBroker.brokers.join(","),
      // Few slots: before, two finished probes waiting on Kafka were enough to stop all checking.
      PROBE_CONCURRENCY: "2",
      KAFKA_RETRY_MAX_MS: "500",
      PUBLISH_SEND_TIMEOUT_MS: "2000",
    });
    kafka = new KafkaProbe(env);
    await kafka.start();
    worker = await startWorker(env);
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await worker?.runtime.queue.obliterate({ force: true }).catch(() => undefined);
    await kafka?.stop();
    await config.stop();
    await peer.stop();
    await kafkaBroker?.destroy();
  }, 120_000);

  it("keeps running every due check while Kafka is down and publishes each result once it is back", async () => {
    const specs = Array.from({ length: 4 }, (_, i) =>
      makeSpec({
        endpoint: `${peerUrl}/outage-${i}`,
        healthCheck: { enabled: true, intervalSeconds: INTERVAL_S },
      }),
    );
    for (const spec of specs) config.specs.set(spec.id, spec);
    await kafka.send(...specs.map((s) => createdEvent(s, 1)));
    const eventsOf = (id: string) =>
      kafka.status.filter(
        (e): e is Extract<StatusEvent, { type: "integration.probe_completed" }> =>
          e.type === "integration.probe_completed" && e.subject === id,
      );
    await waitFor(() => specs.every((s) => eventsOf(s.id).length >= 1), {
      what: "a check of each integration published before the outage",
      timeoutMs: 60_000,
    });

    const outageStart = Date.now();
    await kafkaBroker.stop();
    await sleep(OUTAGE_MS);
    // While Kafka is down the results wait in the Redis buffer; the worker slots stay free.
    expect(await worker.runtime.publisher.backlog()).toBeGreaterThan(0);
    // Readiness tells the truth: the consumer is not consuming, the publisher has a backlog it cannot send.
    const during = await worker.runtime.app.inject({ method: "GET", url: "/health/details" });
    expect(during.statusCode).toBe(503);
    const checks = during.json().checks;
    expect(checks.consumers.ok).toBe(false);
    expect(checks.consumers.config.state).not.toBe("joined");
    expect(checks.publisher.ok).toBe(false);
    expect(checks.publisher.results.backlog).toBeGreaterThan(0);
    expect((await worker.runtime.app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(503);
    await kafkaBroker.start();
    const back = Date.now();

    await waitFor(
      () => specs.every((s) => eventsOf(s.id).some((e) => Date.parse(e.data.scheduledAt ?? "") >= back)),
      { what: "checks due after the broker returned published", timeoutMs: 90_000 },
    );
    await waitFor(async () => (await worker.runtime.publisher.backlog()) === 0, {
      what: "result buffer drained",
      timeoutMs: 30_000,
    });
    await waitFor(
      async () => (await worker.runtime.app.inject({ method: "GET", url: "/ready" })).statusCode === 200,
      {
        what: "ready again after the broker returned",
        // The consumer rejoins its group after the broker's restart; under the whole suite's load that took over
        // 30 s once (the recovery time itself is measured by bench/resilience, not asserted here).
        timeoutMs: 60_000,
      },
    );
    const after = (await worker.runtime.app.inject({ method: "GET", url: "/health/details" })).json().checks;
    expect(after.consumers.config.state).toBe("joined");
    expect(
      Object.values(after.consumers.config.assigned as Record<string, number[]>).flat().length,
    ).toBeGreaterThan(0);
    expect(after.publisher.results.backlog).toBe(0);

    for (const spec of specs) {
      const byId = new Map(eventsOf(spec.id).map((e) => [e.id, e]));
      const due = [...byId.values()].map((e) => Date.parse(e.data.scheduledAt ?? "")).sort((a, b) => a - b);
      // One event per due time (after dedupe by id), and no due time missing from first to last.
      expect(new Set(due).size).toBe(due.length);
      const gaps = due.slice(1).map((t, i) => t - (due[i] as number));
      expect(gaps.every((g) => g === INTERVAL_S * 1000)).toBe(true);
      expect(due[0]).toBeLessThan(outageStart);
      expect(due.at(-1)).toBeGreaterThanOrEqual(back);
      // Sequences follow the due times: consumers gating on sequence apply every buffered result in order.
      const bySeq = [...byId.values()].sort((a, b) => a.sequence - b.sequence);
      expect(bySeq.map((e) => e.data.scheduledAt)).toEqual(
        [...byId.values()]
          .sort((a, b) => Date.parse(a.data.scheduledAt ?? "") - Date.parse(b.data.scheduledAt ?? ""))
          .map((e) => e.data.scheduledAt),
      );
    }
  }, 240_000);
});
