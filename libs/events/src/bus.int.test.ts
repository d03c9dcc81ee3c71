import { getTestStack, uniqueTopicPrefix, waitFor } from "@hip/testkit";
import { Kafka, logLevel } from "kafkajs";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { EventBus } from "./bus.ts";
import { PermanentEventError } from "./consumer.ts";

const Msg = z.object({ id: z.string(), n: z.number().int() });
type Msg = z.infer<typeof Msg>;
const logger = pino({ level: "silent" });

describe("EventBus against the real broker", () => {
  let bus: EventBus;
  let brokers: string[];
  const prefix = uniqueTopicPrefix();
  const topic = `${prefix}events`;
  const dlq = `${prefix}dlq`;

  beforeAll(async () => {
    brokers = (await getTestStack()).kafkaBrokers;
    bus = new EventBus({ brokers, clientId: "events-test", logger });
    await bus.ensureTopics([
      { topic, partitions: 3 },
      { topic: dlq, partitions: 1 },
    ]);
    await bus.ensureTopics([{ topic, partitions: 3 }]); // idempotent
  });
  afterAll(async () => {
    await bus.close();
  });

  it("delivers parsed events in key order, dead-letters bad ones without blocking, retries transient failures", async () => {
    const producer = await bus.producer();
    await producer.send(topic, [
      { key: "a", value: { id: "1", n: 1 } },
      { key: "a", value: { id: "2", n: "not a number" } },
      { key: "a", value: { id: "3", n: 3 } },
      { key: "a", value: { id: "4", n: 4 } },
      { key: "a", value: { id: "5", n: 5 } },
    ]);
    const seen: Msg[] = [];
    let failedOnce = false;
    const deadLettered: string[] = [];
    const consumer = await bus.consumer({
      groupId: `${prefix}g1`,
      topics: [topic],
      schema: Msg,
      deadLetterTopic: dlq,
      onDeadLetter: ({ reason }) => deadLettered.push(reason),
      handle: async (event) => {
        if (event.id === "3" && !failedOnce) {
          failedOnce = true;
          throw new Error("transient: database unavailable");
        }
        if (event.id === "4") throw new PermanentEventError("cannot apply");
        seen.push(event);
      },
    });
    await consumer.start();
    await waitFor(() => seen.length >= 3, { what: "events", timeoutMs: 30_000 });
    expect(seen.map((e) => e.id)).toEqual(["1", "3", "5"]);
    expect(failedOnce).toBe(true);
    expect(deadLettered).toHaveLength(2);
    expect(deadLettered[0]).toContain("schema");

    // The dead-letter topic holds both with their origin.
    const kafka = new Kafka({ clientId: "dlq-reader", brokers, logLevel: logLevel.NOTHING });
    const reader = kafka.consumer({ groupId: `${prefix}dlq-reader` });
    await reader.connect();
    await reader.subscribe({ topic: dlq, fromBeginning: true });
    const dead: Array<{ reason: string; origin: string }> = [];
    await reader.run({
      eachMessage: async ({ message }) => {
        dead.push({
          reason: message.headers?.["x-dlq-reason"]?.toString() ?? "",
          origin: message.headers?.["x-dlq-topic"]?.toString() ?? "",
        });
      },
    });
    await waitFor(() => dead.length >= 2, { what: "dead letters" });
    await reader.disconnect();
    expect(dead.map((d) => d.origin)).toEqual([topic, topic]);
    await consumer.stop();

    // Offsets were committed: a restarted member of the group gets nothing old again.
    const lag = await bus.groupLag(`${prefix}g1`, [topic]);
    expect(lag[topic]).toBe(0);
  });

  it("commits offsets at most once per interval, then on an idle fetch, and on stop", async () => {
    const t = `${prefix}commits`;
    await bus.ensureTopics([{ topic: t, partitions: 1 }]);
    const producer = await bus.producer();
    const handled = new Map<string, string[]>();
    const member = (groupId: string, commitIntervalMs: number, commitOffsets = true) =>
      bus.consumer({
        groupId,
        topics: [t],
        schema: Msg,
        deadLetterTopic: dlq,
        commitIntervalMs,
        commitOffsets,
        fetchMaxWaitMs: 200,
        handleBatch: async (items) => {
          const ids = handled.get(groupId) ?? [];
          for (const i of items) ids.push(i.event.id);
          handled.set(groupId, ids);
        },
      });
    const lag = async (groupId: string) => (await bus.groupLag(groupId, [t]))[t];
    const send = (ids: string[]) =>
      producer.send(
        t,
        ids.map((id) => ({ key: "k", value: { id, n: 1 } })),
      );

    // A long interval: what the member handles stays uncommitted while it runs (kafkajs alone commits after
    // every batch) ...
    const slow = await member(`${prefix}slow`, 60_000);
    await slow.start();
    await send(["1", "2", "3"]);
    await waitFor(() => (handled.get(`${prefix}slow`)?.length ?? 0) >= 3, { what: "first events handled" });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await lag(`${prefix}slow`)).toBe(3);
    // ... and stop() commits it: a successor starts after what was handled.
    await slow.stop();
    expect(await lag(`${prefix}slow`)).toBe(0);

    // A short interval: committed without any further event, by the idle fetches after the interval.
    const quick = await member(`${prefix}quick`, 1_000);
    await quick.start();
    await waitFor(() => (handled.get(`${prefix}quick`)?.length ?? 0) >= 3, {
      what: "replayed by a new group",
    });
    await send(["4", "5"]);
    await waitFor(() => (handled.get(`${prefix}quick`)?.length ?? 0) >= 5, { what: "new events handled" });
    await waitFor(async () => ((await lag(`${prefix}quick`)) === 0 ? true : null), {
      what: "offsets committed by an idle fetch",
      timeoutMs: 10_000,
    });
    await quick.stop();

    // A throwaway group (commitOffsets false) commits nothing: not per interval, not on stop.
    const none = await member(`${prefix}none`, 1_000, false);
    await none.start();
    await waitFor(() => (handled.get(`${prefix}none`)?.length ?? 0) >= 5, {
      what: "throwaway group handled",
    });
    await new Promise((r) => setTimeout(r, 1_500)); // past the interval: the next batch would be due a commit
    await send(["6"]);
    await waitFor(() => (handled.get(`${prefix}none`)?.length ?? 0) >= 6, { what: "a later batch handled" });
    await new Promise((r) => setTimeout(r, 1_500));
    await none.stop();
    expect(await lag(`${prefix}none`)).toBe(6);
  });

  it("handleBatch receives whole batches and a new group replays from offset 0", async () => {
    const got: string[] = [];
    const consumer = await bus.consumer({
      groupId: `${prefix}g2`,
      topics: [topic],
      schema: Msg,
      deadLetterTopic: dlq,
      handleBatch: async (items) => {
        for (const i of items) got.push(i.event.id);
      },
    });
    await consumer.start();
    await waitFor(() => got.length >= 4, { what: "replay" });
    expect(got).toEqual(["1", "3", "4", "5"]);
    expect(consumer.isHealthy()).toBe(true);
    // Its real state, from the client's instrumentation events: joined, owning every partition, polling.
    const status = consumer.status();
    expect(status).toMatchObject({ ok: true, reason: null, groupId: `${prefix}g2`, state: "joined" });
    expect(Object.values(status.assigned).flat().length).toBeGreaterThan(0);
    expect(status.lastPollAt).not.toBeNull();
    await consumer.stop();
    expect(consumer.status()).toMatchObject({ ok: false, reason: "not running", state: "stopped" });
  });

  it("ping answers while the broker is up", async () => {
    await expect(bus.ping()).resolves.toBeUndefined();
  });
});
