import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, uniqueRedisPrefix, uniqueTopicPrefix } from "./isolation.ts";
import { getTestStack } from "./stack.ts";

// Foundation smoke test: the real broker, database and queue are reachable and behave.
describe("real stack smoke", () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it("produces and consumes through the real Kafka broker with a consumer group", async () => {
    const stack = await getTestStack();
    const kafka = new Kafka({ clientId: "smoke", brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
    const topic = `${uniqueTopicPrefix()}smoke`;
    const admin = kafka.admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const producer = kafka.producer({ maxInFlightRequests: 1 });
    await producer.connect();
    cleanups.push(() => producer.disconnect());
    const sent = ["one", "two", "three"];
    await producer.send({ topic, acks: -1, messages: sent.map((v) => ({ key: "k", value: v })) });

    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    await consumer.connect();
    cleanups.push(() => consumer.disconnect());
    await consumer.subscribe({ topic, fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only got ${got.join(",")}`)), 20_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          got.push(message.value?.toString() ?? "");
          if (got.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    // Same key -> same partition -> order preserved.
    expect(got).toEqual(sent);
    await admin.deleteTopics({ topics: [topic] });
  });

  it("writes and reads PostgreSQL in a database of its own", async () => {
    const db = await createTestDatabase("hip_smoke");
    cleanups.push(() => db.drop());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query("CREATE TABLE t (id serial primary key, v text not null)");
      await client.query("INSERT INTO t (v) VALUES ($1), ($2)", ["a", "b"]);
      const res = await client.query<{ v: string }>("SELECT v FROM t ORDER BY id");
      expect(res.rows.map((r) => r.v)).toEqual(["a", "b"]);
    } finally {
      await client.end();
    }
  });

  it("runs one BullMQ job on the real Redis", async () => {
    const stack = await getTestStack();
    const prefix = uniqueRedisPrefix();
    const connection = new Redis(stack.redisUrl, { maxRetriesPerRequest: null });
    cleanups.push(async () => connection.quit());
    const queue = new Queue("smoke", { connection, prefix });
    const worker = new Worker<{ a: number; b: number }, number>(
      "smoke",
      async (job) => job.data.a + job.data.b,
      {
        connection: new Redis(stack.redisUrl, { maxRetriesPerRequest: null }),
        prefix,
      },
    );
    cleanups.push(() => worker.close());
    cleanups.push(() => queue.obliterate({ force: true }).then(() => queue.close()));
    const done = new Promise<number>((resolve, reject) => {
      worker.on("completed", (_job, value) => resolve(value));
      worker.on("failed", (_job, err) => reject(err));
    });
    await queue.add("sum", { a: 2, b: 40 });
    expect(await done).toBe(42);
  });
});
