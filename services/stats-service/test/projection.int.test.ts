import { randomUUID } from "node:crypto";
import type { AnyEvent } from "@hip/contracts";
import type { EventConsumer } from "@hip/events";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createProjectionConsumer } from "../src/consumers/projection.consumer.ts";
import { getSummary } from "../src/domain/stats/get-summary.ts";
import { rebuildReadModel } from "../src/domain/projection/rebuild.ts";
import { StatsMetrics } from "../src/metrics/metrics.ts";
import {
  databaseHarness,
  ev,
  type Harness,
  type KafkaHarness,
  kafkaHarness,
  logger,
  RETENTION,
  type Spec,
  snapshotModel,
} from "./support.ts";

/**
 * Scripted history over real Kafka + Postgres: creates, updates, status flips, a deletion and probe results across
 * two tenants. Then: the same history again changes nothing; a rebuild from offset 0 equals the live model;
 * a malformed message is dead-lettered and the next good event still lands.
 */
describe("projection over Kafka", () => {
  let db: Harness;
  let kafka: KafkaHarness;
  let consumer: EventConsumer<z.ZodType>;
  const metrics = new StatsMetrics({ defaultMetrics: false });
  const now = Date.now();
  const minsAgo = (m: number) => new Date(now - m * 60_000);

  const a1: Spec = {
    id: randomUUID(),
    tenantId: "tenant-a",
    name: "HL7 feed",
    type: "HL7",
    status: "ACTIVE",
  };
  const a2: Spec = { id: randomUUID(), tenantId: "tenant-a", name: "FHIR", type: "FHIR", status: "ACTIVE" };
  const a3: Spec = {
    id: randomUUID(),
    tenantId: "tenant-a",
    name: "Old lab",
    type: "LAB_SYSTEM",
    status: "INACTIVE",
  };
  const b1: Spec = {
    id: randomUUID(),
    tenantId: "tenant-b",
    name: "Payments",
    type: "PAYMENT_GATEWAY",
    status: "ACTIVE",
  };
  const history: AnyEvent[] = [
    ev.created(a1, 1, minsAgo(300)),
    ev.created(a2, 1, minsAgo(300)),
    ev.created(a3, 1, minsAgo(300)),
    ev.created(b1, 1, minsAgo(300)),
    ev.updated({ ...a1, name: "HL7 ADT feed", provider: "Epic" }, 2, ["name", "provider"], minsAgo(290)),
    ev.probe(a1, 1, { success: true, latencyMs: 40, checkedAt: minsAgo(200) }),
    ev.probe(a1, 2, { success: false, latencyMs: 3000, checkedAt: minsAgo(100) }),
    ev.probe(a1, 3, { success: true, latencyMs: 55, checkedAt: minsAgo(10) }),
    ev.probe(a2, 1, { success: false, latencyMs: 120, checkedAt: minsAgo(50) }),
    ev.statusChanged(a2, 2, "ACTIVE", "ERROR", minsAgo(49)),
    ev.probe(b1, 1, { success: true, latencyMs: 80, checkedAt: minsAgo(30) }),
    ev.statusChanged(b1, 2, "ACTIVE", "TESTING", minsAgo(29)),
    ev.statusChanged(b1, 3, "TESTING", "ACTIVE", minsAgo(28)),
    ev.probe(a3, 1, { success: true, latencyMs: 10, checkedAt: minsAgo(20) }),
    ev.deleted(a3, 2, minsAgo(15)),
  ];
  const lastEvent = history.at(-1);

  // Applied = claimed: a probe result by its raw check row, any other event by its processed_events id.
  const applied = async (id: string) =>
    (
      await db.pool.query(
        "SELECT 1 FROM stats.processed_events WHERE event_id = $1 UNION ALL SELECT 1 FROM stats.checks WHERE event_id = $1",
        [id],
      )
    ).rowCount === 1;

  beforeAll(async () => {
    db = await databaseHarness();
    kafka = await kafkaHarness();
    consumer = await createProjectionConsumer({
      bus: kafka.bus,
      pool: db.pool,
      metrics,
      logger,
      topicPrefix: kafka.prefix,
      retention: RETENTION,
    });
    await consumer.start();
  });

  afterAll(async () => {
    await kafka?.bus.close();
    await db?.close();
  });

  it("projects the scripted history into the current view and per-tenant counts", async () => {
    await kafka.publish(history);
    await waitFor(
      async () => {
        for (const e of history) if (!(await applied(e.id))) return false;
        return true;
      },
      { what: "history applied", timeoutMs: 60_000 },
    );

    const a = await getSummary({ pool: db.pool, tenantId: "tenant-a" });
    expect(a).toMatchObject({ total: 2, active: 1, error: 1, inactive: 0, testing: 0 });
    expect(a.byType).toMatchObject({ HL7: 1, FHIR: 1, LAB_SYSTEM: 0 });
    // a1: 2 of 3 ok; a2: 0 of 1; a3 (deleted later) still counted in history: 1 of 1.
    expect(a.performance.checks24h).toBe(5);
    expect(a.performance.successRate24h).toBe(60);
    expect(a.performance.avgLatencyMs).toBe((40 + 3000 + 55 + 120 + 10) / 5);
    expect(a.lastSyncedAt).toBe(minsAgo(10).toISOString());

    const b = await getSummary({ pool: db.pool, tenantId: "tenant-b" });
    expect(b).toMatchObject({ total: 1, active: 1, testing: 0 });
    expect(b.performance.checks24h).toBe(1);

    const { rows } = await db.pool.query(
      "SELECT integration_id, name, provider, status, deleted_at, last_check_at, last_error FROM stats.integrations",
    );
    const byId = new Map(rows.map((r) => [r.integration_id, r]));
    expect(byId.get(a1.id)).toMatchObject({ name: "HL7 ADT feed", provider: "Epic", status: "ACTIVE" });
    expect(byId.get(a1.id)?.last_check_at.toISOString()).toBe(minsAgo(10).toISOString());
    expect(byId.get(a1.id)?.last_error).toBe("ECONNREFUSED: connection refused");
    expect(byId.get(a2.id)).toMatchObject({ status: "ERROR" });
    expect(byId.get(a3.id)?.deleted_at).not.toBeNull();
  });

  it("applying the same history twice gives the same state", async () => {
    const before = await snapshotModel(db.pool);
    await kafka.publish(history);
    const marker = ev.probe(b1, 2, { success: true, latencyMs: 1, checkedAt: minsAgo(1) });
    // Partition order: once the marker (published after the replay, same key as b1) is in, so is b1's replay.
    await kafka.publish([marker]);
    await waitFor(() => applied(marker.id), { what: "marker applied", timeoutMs: 60_000 });
    await waitFor(
      async () =>
        Number(await metrics.eventsDuplicate.get().then((m) => m.values[0]?.value ?? 0)) >= history.length,
      {
        what: "replayed history skipped",
        timeoutMs: 60_000,
      },
    );
    const after = await snapshotModel(db.pool);
    // Everything but the marker's own effects is unchanged: compare tenant-a, which the marker does not touch.
    const onlyA = (m: Record<string, unknown[]>) =>
      Object.fromEntries(
        Object.entries(m).map(([k, v]) => [
          k,
          v.filter((r) => JSON.stringify(r).includes("tenant-a") || k === "processed" || k === "sequences"),
        ]),
      );
    expect(onlyA(after).integrations).toEqual(onlyA(before).integrations);
    expect(onlyA(after).counts).toEqual(onlyA(before).counts);
    expect(onlyA(after).checks).toEqual(onlyA(before).checks);
    expect(onlyA(after).rollupMinute).toEqual(onlyA(before).rollupMinute);
    expect(onlyA(after).tenantHour).toEqual(onlyA(before).tenantHour);
    expect(after.processed).toEqual(before.processed);
  });

  it("a rebuild from offset 0 equals the live model", async () => {
    const live = await snapshotModel(db.pool);
    await consumer.stop();
    const result = await rebuildReadModel({
      pool: db.pool,
      bus: kafka.bus,
      metrics,
      logger,
      topicPrefix: kafka.prefix,
      retention: RETENTION,
      pollMs: 200,
    });
    expect(result.eventsApplied).toBeGreaterThan(0);
    const rebuilt = await snapshotModel(db.pool);
    // The marker's dedupe row was removed above, so the rebuild re-applied it: it was applied once either way.
    expect(rebuilt.integrations).toEqual(live.integrations);
    expect(rebuilt.counts).toEqual(live.counts);
    expect(rebuilt.sequences).toEqual(live.sequences);
    expect(rebuilt.checks).toEqual(live.checks);
    expect(rebuilt.rollupMinute).toEqual(live.rollupMinute);
    expect(rebuilt.rollupHour).toEqual(live.rollupHour);
    expect(rebuilt.tenantMinute).toEqual(live.tenantMinute);
    expect(rebuilt.tenantHour).toEqual(live.tenantHour);
    expect(rebuilt.tenantState).toEqual(live.tenantState);
    expect(rebuilt.state).toEqual(live.state);
    expect(lastEvent && (await applied(lastEvent.id))).toBe(true);
  });

  it("dead-letters a malformed event and still applies the next good one", async () => {
    consumer = await createProjectionConsumer({
      bus: kafka.bus,
      pool: db.pool,
      metrics,
      logger,
      topicPrefix: kafka.prefix,
      retention: RETENTION,
    });
    await consumer.start();
    const dead: unknown[] = [];
    const dlq = await kafka.bus.consumer({
      groupId: `${kafka.prefix}dlq-reader`,
      topics: [kafka.topics.deadLetter],
      schema: z.unknown(),
      deadLetterTopic: `${kafka.prefix}unused`,
      handle: async (e) => {
        dead.push(e);
      },
    });
    await dlq.start();
    const good = ev.probe(a1, 9, { success: true, latencyMs: 5, checkedAt: minsAgo(2) });
    await kafka.producer.send(kafka.topics.status, [
      { key: a1.id, value: { type: "integration.probe_completed", id: "not-a-uuid" } },
      { key: a1.id, value: good },
    ]);
    await waitFor(() => applied(good.id), { what: "good event after the malformed one", timeoutMs: 60_000 });
    await waitFor(() => dead.length >= 1, { what: "dead letter", timeoutMs: 60_000 });
    expect(dead[0]).toMatchObject({ id: "not-a-uuid" });
    const dl = await metrics.deadLetters.get();
    expect(dl.values.reduce((s, v) => s + v.value, 0)).toBeGreaterThanOrEqual(1);
  });
});
