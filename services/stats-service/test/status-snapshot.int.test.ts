import { randomUUID } from "node:crypto";
import type { AnyEvent, StatusSnapshotPage } from "@hip/contracts";
import { events, spec, topicKeyOf } from "@hip/status-client/testing";
import { waitFor } from "@hip/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSnapshotConsumer, snapshotGroupId } from "../src/snapshot/snapshot.consumer.ts";
import { testApp } from "./app-harness.ts";
import { databaseHarness, type Harness, type KafkaHarness, kafkaHarness, token } from "./support.ts";

const URL_ = "/api/integration/stats/status-snapshot";

describe("GET /stats/status-snapshot", () => {
  let db: Harness;
  let kafka: KafkaHarness;
  let app: FastifyInstance;
  let consumer: Awaited<ReturnType<typeof createSnapshotConsumer>>;
  const viewerA = token({ tenantId: "snap-a", roles: ["viewer"] });
  const service = token({ sub: "lab-orders", roles: ["service"] });
  const a1 = spec("snap-a", "LIS", { type: "LAB_SYSTEM" });
  const a2 = spec("snap-a", "PACS", { type: "IMAGING_SYSTEM" });
  const a3 = spec("snap-a", "Old billing", { type: "API" });
  const b1 = spec("snap-b", "Other tenant's LIS", { type: "LAB_SYSTEM" });
  const incidentId = randomUUID();

  const publish = async (list: AnyEvent[]) => {
    for (const e of list) {
      await kafka.producer.send(kafka.topics[topicKeyOf(e)], [{ key: e.subject, value: e }]);
    }
  };
  const get = (query: string, auth?: string) =>
    app.inject({
      method: "GET",
      url: `${URL_}${query}`,
      headers: auth ? { authorization: `Bearer ${auth}` } : {},
    });

  beforeAll(async () => {
    db = await databaseHarness();
    kafka = await kafkaHarness();
    await kafka.bus.ensureTopics([{ topic: kafka.topics.incident, partitions: 3 }]);
    // a2: status_changed (status topic) published BEFORE its created (config topic): the row starts unknown.
    await publish([events.statusChanged(a2, 2, "ACTIVE", "ERROR")]);
    await publish([
      events.created(a1, 1),
      events.created(a2, 1),
      events.created(a3, 1),
      events.created(b1, 1),
      events.probe(a1, 100, false),
      events.statusChanged(a1, 2, "ACTIVE", "ERROR"),
      events.incident(a1, 1, incidentId, "open"),
      events.statusChanged(a1, 2, "ACTIVE", "ERROR"), // duplicate sequence: no-op
      events.incident(a1, 2, incidentId, "acknowledged"),
      events.statusChanged(b1, 2, "ACTIVE", "ERROR"),
      events.deleted(a3, 2),
    ]);
    // Out of order: an older status for a1 after a newer one changes nothing.
    await publish([events.statusChanged(a1, 1, "TESTING", "ACTIVE")]);
    // A message that is not an event: skipped here (the projection dead-letters it), never blocks.
    await kafka.producer.send(kafka.topics.status, [{ key: a1.id, value: { not: "an event" } }]);

    consumer = await createSnapshotConsumer({ bus: kafka.bus, pool: db.pool, topicPrefix: kafka.prefix });
    await consumer.start();
    const topics = [kafka.topics.config, kafka.topics.status, kafka.topics.incident];
    await waitFor(
      async () => {
        const lag = await kafka.bus.groupLag(snapshotGroupId(kafka.prefix), topics);
        return Object.values(lag).every((n) => n === 0);
      },
      { what: "snapshot consumer caught up", timeoutMs: 60_000 },
    );
    ({ app } = await testApp(db.pool, { KAFKA_TOPIC_PREFIX: kafka.prefix }));
  });

  afterAll(async () => {
    await consumer?.stop();
    await app?.close();
    await kafka?.bus.close();
    await db?.close();
  });

  it("gives a tenant its integrations' status, sequence, open incident and tombstones, never another tenant's", async () => {
    const res = await get("", viewerA);
    expect(res.statusCode).toBe(200);
    const page = res.json() as StatusSnapshotPage;
    const byId = new Map(page.data.map((i) => [i.integrationId, i]));
    expect([...byId.keys()].sort()).toEqual([a1.id, a2.id, a3.id].sort());
    expect(byId.has(b1.id)).toBe(false);
    expect(byId.get(a1.id)).toMatchObject({
      known: true,
      name: "LIS",
      status: "ERROR",
      sequence: 2,
      deleted: false,
      incident: { id: incidentId, state: "acknowledged", errorCode: "CONNECTION_REFUSED" },
      incidentSequence: 2,
    });
    // Status seen before the snapshot: the later created (sequence 1) did not overwrite ERROR (sequence 2).
    expect(byId.get(a2.id)).toMatchObject({ known: true, name: "PACS", status: "ERROR", sequence: 2 });
    expect(byId.get(a3.id)).toMatchObject({ deleted: true, snapshotSequence: 2 });
    expect(page.nextCursor).toBeNull();
  });

  it("names the offsets it is consistent with: the end of every partition once caught up", async () => {
    const page = (await get("", viewerA)).json() as StatusSnapshotPage;
    expect(page.asOf.topics.map((t) => t.key)).toEqual(["config", "status", "incident"]);
    for (const t of page.asOf.topics) {
      expect(t.topic).toBe(kafka.topics[t.key]);
      const ends = await kafka.bus.topicOffsets(t.topic);
      const total = (list: Array<{ offset: string }>) => list.reduce((s, p) => s + Number(p.offset), 0);
      expect(total(t.partitions)).toBe(total(ends));
      for (const p of t.partitions) {
        expect(p.offset).toBe(ends.find((e) => e.partition === p.partition)?.offset);
      }
    }
  });

  it("pages with a cursor", async () => {
    const first = (await get("?limit=2", viewerA)).json() as StatusSnapshotPage;
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toBe(first.data[1]?.integrationId);
    const second = (await get(`?limit=2&cursor=${first.nextCursor}`, viewerA)).json() as StatusSnapshotPage;
    expect(second.data).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.data, ...second.data].map((i) => i.integrationId);
    expect(all).toEqual([a1.id, a2.id, a3.id].sort());
  });

  it("gives a service token every tenant, or one with tenantId", async () => {
    const all = (await get("", service)).json() as StatusSnapshotPage;
    expect(all.data.map((i) => i.integrationId).sort()).toEqual([a1.id, a2.id, a3.id, b1.id].sort());
    const onlyB = (await get("?tenantId=snap-b", service)).json() as StatusSnapshotPage;
    expect(onlyB.data.map((i) => i.integrationId)).toEqual([b1.id]);
    expect(onlyB.data[0]).toMatchObject({ status: "ERROR", tenantId: "snap-b" });
  });

  it("refuses: no token (even with bad input) 401, another tenant 403, bad input 400 naming the field", async () => {
    expect((await get("?limit=bogus")).statusCode).toBe(401);
    expect((await get("", "not-a-jwt")).statusCode).toBe(401);
    const other = await get("?tenantId=snap-b", viewerA);
    expect(other.statusCode).toBe(403);
    expect(JSON.stringify(other.json())).not.toContain(b1.id);
    expect((await get("?tenantId=snap-a", viewerA)).statusCode).toBe(200);
    const bad = await get("?limit=0", viewerA);
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain("limit");
    const badCursor = await get("?cursor=zzz", viewerA);
    expect(badCursor.statusCode).toBe(400);
    expect(JSON.stringify(badCursor.json())).toContain("cursor");
  });
});
