import { randomUUID } from "node:crypto";
import { type ProbeResult, topicNames } from "@hip/contracts";
import { EventBus } from "@hip/events";
import { getTestStack, waitFor } from "@hip/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaProbe, silent, testEnv } from "../testing/harness.ts";
import { workerKeys } from "./keys.ts";
import { ResultBufferFullError, StatusPublisher } from "./status-publisher.ts";

function result(integrationId: string): ProbeResult {
  const now = new Date().toISOString();
  return {
    integrationId,
    tenantId: "tenant-a",
    testId: null,
    trigger: "scheduled",
    integrationType: "API",
    probe: "http",
    success: true,
    latencyMs: 3,
    timings: { dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: 2, totalMs: 3 },
    tls: null,
    error: null,
    diagnostics: {},
    attempts: 1,
    scheduledAt: now,
    checkedAt: now,
  };
}

describe("StatusPublisher (real Redis + Kafka)", () => {
  let redis: Redis;
  let bus: EventBus;
  let kafka: KafkaProbe;
  let env: Awaited<ReturnType<typeof testEnv>>;
  const publishers: StatusPublisher[] = [];

  beforeAll(async () => {
    env = await testEnv({ CONFIG_SERVICE_URL: "http://127.0.0.1:9" });
    redis = new Redis((await getTestStack()).redisUrl, { maxRetriesPerRequest: null });
    bus = new EventBus({ brokers: env.KAFKA_BROKERS, clientId: "publisher-test", logger: silent });
    kafka = new KafkaProbe(env);
    await kafka.start();
  });
  afterAll(async () => {
    for (const p of publishers) await p.flush().catch(() => undefined);
    const keys = await redis.keys(`${env.REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await bus.close();
    await kafka.stop();
  });

  const publisher = async (overrides: Partial<ConstructorParameters<typeof StatusPublisher>[0]> = {}) => {
    const p = new StatusPublisher({
      producer: await bus.producer({ retries: 2 }),
      redis,
      keys: workerKeys(env.REDIS_PREFIX),
      topic: topicNames(env.KAFKA_TOPIC_PREFIX).status,
      logger: silent,
      maxBuffered: 100,
      sendTimeoutMs: 5_000,
      retryMaxMs: 500,
      orphanAfterMs: 1_000,
      ...overrides,
    });
    publishers.push(p);
    return p;
  };

  it("refuses results beyond the bound without storing them, and counts each refusal", async () => {
    let rejected = 0;
    const full = await publisher({ maxBuffered: 2, metrics: { rejected: () => rejected++, sent: () => {} } });
    const id = randomUUID();
    await full.publish(randomUUID(), result(id));
    await full.publish(randomUUID(), result(id));
    await expect(full.publish(randomUUID(), result(id))).rejects.toBeInstanceOf(ResultBufferFullError);
    expect(rejected).toBe(1);
    expect(await full.backlog()).toBe(2);
    expect((await full.health()).ok).toBe(false);
    // Started, it drains the buffer to Kafka and accepts results again.
    full.start();
    await waitFor(async () => (await full.backlog()) === 0, { what: "buffer drained" });
    await full.publish(randomUUID(), result(id));
    await waitFor(() => kafka.status.filter((e) => e.subject === id).length === 3, {
      what: "3 results on Kafka",
    });
  });

  it("stores results through an auto-pipelined connection (as the runtime does), also in its first event-loop turn", async () => {
    // The runtime's results connection sends the calls of one turn as one pipeline. A pipeline started before the
    // Lua command was defined on the connection lacked it ("pipeline[functionName] is not a function"), and
    // ioredis then crashed the process: the command must exist before the first call.
    const piped = new Redis((await getTestStack()).redisUrl, {
      maxRetriesPerRequest: null,
      enableAutoPipelining: true,
    });
    try {
      const p = await publisher({ redis: piped, maxBuffered: 1000 });
      const id = randomUUID();
      await Promise.all([
        piped.ping(),
        ...Array.from({ length: 50 }, () => p.publish(randomUUID(), result(id))),
      ]);
      expect(await p.backlog()).toBe(50);
      p.start();
      await waitFor(() => kafka.status.filter((e) => e.subject === id).length === 50, {
        what: "50 results on Kafka",
      });
      await p.flush();
    } finally {
      piped.disconnect();
    }
  });

  it("publishes the buffer of a process that died, once, from another process", async () => {
    // A publisher that buffered results and died (never drained; its heartbeat stops).
    const dead = await publisher();
    const id = randomUUID();
    const eventIds = [randomUUID(), randomUUID(), randomUUID()];
    for (const eventId of eventIds) await dead.publish(eventId, result(id));
    expect(await dead.backlog()).toBe(3);

    const alive = await publisher();
    alive.start();
    await waitFor(async () => (await dead.backlog()) === 0, {
      what: "dead buffer adopted",
      timeoutMs: 30_000,
    });
    const got = await waitFor(
      () => {
        const events = kafka.status.filter((e) => e.subject === id);
        return events.length >= 3 ? events : null;
      },
      { what: "adopted results on Kafka" },
    );
    expect(got.map((e) => e.id)).toEqual(eventIds);
    // Sequences were taken when buffered: increasing in buffer order.
    const seqs = got.map((e) => e.sequence);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // The adopter removes the dead publisher's registration once its buffer is empty.
    await waitFor(
      async () => (await redis.hexists(workerKeys(env.REDIS_PREFIX).publishers, dead.publisherId)) === 0,
      { what: "dead publisher unregistered" },
    );
    // A clean shutdown with nothing left leaves no key of that process behind.
    await alive.flush();
    expect(await redis.exists(workerKeys(env.REDIS_PREFIX).resultBuffer(alive.publisherId))).toBe(0);
    expect(await redis.hexists(workerKeys(env.REDIS_PREFIX).publishers, alive.publisherId)).toBe(0);
  });
});
