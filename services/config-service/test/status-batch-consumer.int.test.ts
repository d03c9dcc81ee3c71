import { randomUUID } from "node:crypto";
import { AnyEvent, type IntegrationView } from "@hip/contracts";
import { EventBus } from "@hip/events";
import { getTestStack, waitFor } from "@hip/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Captured, captureTopics, probeCompleted } from "./kafka-support.ts";
import { API, labBody, startService, type TestService, token } from "./support.ts";

// The status consumer over real Kafka: a produced batch is applied through handleBatch; a batch holding an event
// Postgres refuses is applied one by one and that event alone goes to the dead-letter topic.

let svc: TestService;
let capture: Awaited<ReturnType<typeof captureTopics>>;
let dlqBus: EventBus;
const deadLetters: string[] = [];
const tenant = "batch-consumer";

beforeAll(async () => {
  svc = await startService({}, { kafka: true });
  capture = await captureTopics(svc.runtime.deps.topics);
  const stack = await getTestStack();
  dlqBus = new EventBus({
    brokers: stack.kafkaBrokers,
    clientId: "test-dlq",
    logger: pino({ level: "silent" }),
  });
  const topics = svc.runtime.deps.topics;
  const dlq = await dlqBus.consumer({
    groupId: `${topics.deadLetter}.watch.${randomUUID()}`,
    topics: [topics.deadLetter],
    schema: AnyEvent,
    deadLetterTopic: `${topics.deadLetter}.unused`,
    fromBeginning: true,
    handle: async (event) => {
      deadLetters.push(event.id);
    },
  });
  await dlq.start();
});
afterAll(async () => {
  await dlqBus?.close();
  await capture?.close();
  await svc?.close();
});

async function create(over: Record<string, unknown> = {}): Promise<string> {
  const res = await svc.request("POST", `${API}/configs`, { token: token(tenant), body: labBody(over) });
  return (res.body as IntegrationView).id;
}
const get = async (id: string) =>
  (await svc.request("GET", `${API}/configs/${id}`, { token: token(tenant) })).body as IntegrationView;
const statusChangesOf = (id: string) =>
  capture.seen.filter(
    (c: Captured) => c.event.subject === id && c.event.type === "integration.status_changed",
  );

describe("status consumer, batch at a time", () => {
  it("applies a produced batch; a bad event is dead-lettered alone; a redelivered batch changes nothing", async () => {
    const failing = await create({ failureThreshold: 3 });
    const poisoned = await create();
    const healthy = await create();
    const send = (events: Array<ReturnType<typeof probeCompleted>>) =>
      capture.producer.send(
        svc.runtime.deps.topics.status,
        events.map((e) => ({ key: e.subject, value: e })),
      );
    const f = (id: string, message = "refused") =>
      probeCompleted({ integrationId: id, tenantId: tenant, success: false, message });
    const bad = f(poisoned, "NUL \u0000 in a message");
    const batch = [
      f(failing),
      f(failing),
      bad,
      f(failing),
      probeCompleted({ integrationId: healthy, tenantId: tenant, success: true }),
    ];
    await send(batch);
    await waitFor(async () => (await get(failing)).status === "ERROR", { what: "ERROR after 3 failures" });
    await waitFor(async () => (await get(healthy)).consecutiveSuccesses === 1, { what: "healthy applied" });
    await waitFor(() => deadLetters.includes(bad.id), { what: "bad event dead-lettered" });
    expect(deadLetters.filter((id) => batch.some((e) => e.id === id))).toEqual([bad.id]);
    // Dead-lettered by the consumer's one-by-one fallback (a parse failure would be the library's).
    expect(svc.logs.some((l) => l.includes("dead-lettering probe result") && l.includes(bad.id))).toBe(true);
    expect(await get(poisoned)).toMatchObject({ consecutiveFailures: 0, lastError: null });
    await waitFor(() => statusChangesOf(failing).length === 1, { what: "one status_changed" });

    // Redelivery (a producer retry or a replay) of the same batch, then a marker event behind it on the
    // same partition: once the marker is applied, the batch before it was consumed too, and changed nothing.
    await send(batch.filter((e) => e !== bad));
    await send([f(failing, "marker")]);
    const after = await waitFor(async () => {
      const v = await get(failing);
      return v.lastError === "marker" ? v : null;
    });
    expect(after).toMatchObject({ status: "ERROR", consecutiveFailures: 4 });
    expect(await get(healthy)).toMatchObject({ consecutiveSuccesses: 1 });
    expect(statusChangesOf(failing)).toHaveLength(1);
  });
});
