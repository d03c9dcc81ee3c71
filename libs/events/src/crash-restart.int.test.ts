import { PrivateKafka, uniqueTopicPrefix, waitFor } from "@hip/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { EventBus } from "./bus.ts";
import type { EventConsumer } from "./consumer.ts";

const Msg = z.object({ id: z.string() });

// kafkajs restarts a crashed consumer only after errors it deems retriable; a broker outage can end a group
// coordinator lookup in one it does not (KafkaJSGroupCoordinatorNotFound), and the member stayed down for good.
// A broker of this file's own with group.max.size=1 gives a real non-retriable crash on demand: the second member
// of a group is refused with GROUP_MAX_SIZE_REACHED.
describe("a consumer kafkajs leaves crashed (own broker, group.max.size=1)", () => {
  let broker: PrivateKafka;
  let bus: EventBus;
  const prefix = uniqueTopicPrefix();
  const topic = `${prefix}events`;

  beforeAll(async () => {
    broker = await PrivateKafka.create({ "group.max.size": "1" });
    await broker.start();
    bus = new EventBus({
      brokers: broker.brokers,
      clientId: "crash-restart-test",
      logger: pino({ level: "silent" }),
      tuning: { retryMaxMs: 500 },
    });
    await bus.ensureTopics([
      { topic, partitions: 1 },
      { topic: `${prefix}dlq`, partitions: 1 },
    ]);
  }, 240_000);

  afterAll(async () => {
    await bus?.close();
    await broker?.destroy();
  }, 120_000);

  it("is restarted with backoff and consumes once it can join", async () => {
    const groupId = `${prefix}g`;
    const seen: Record<"first" | "second", string[]> = { first: [], second: [] };
    const member = (name: "first" | "second") =>
      bus.consumer({
        groupId,
        topics: [topic],
        schema: Msg,
        deadLetterTopic: `${prefix}dlq`,
        handle: async (e) => {
          seen[name].push(e.id);
        },
      });
    const first: EventConsumer<typeof Msg> = await member("first");
    await first.start();
    await waitFor(() => first.status().state === "joined", { what: "first member joined" });

    const second = await member("second");
    await second.start();
    await waitFor(() => second.lastCrash() !== null, { what: "second member refused", timeoutMs: 30_000 });
    expect(second.lastCrash()?.message).toMatch(/max size/i);
    expect(second.isHealthy()).toBe(false);

    const producer = await bus.producer();
    await producer.send(topic, [{ key: "k", value: { id: "1" } }]);
    await waitFor(() => seen.first.includes("1"), { what: "first member consumed" });

    // The group has room again: the refused member joins on one of its restarts and gets what follows.
    await first.stop();
    await waitFor(() => second.status().state === "joined", {
      what: "second member joined",
      timeoutMs: 60_000,
    });
    await producer.send(topic, [{ key: "k", value: { id: "2" } }]);
    await waitFor(() => seen.second.includes("2"), { what: "second member consumed", timeoutMs: 30_000 });
    expect(second.isHealthy()).toBe(true);
    expect(seen.second).not.toContain("1");
    await second.stop();
  }, 180_000);
});
