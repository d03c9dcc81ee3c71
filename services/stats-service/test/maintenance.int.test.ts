import { randomUUID } from "node:crypto";
import {
  type AnyEvent,
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationStats,
  type StatsSummary,
} from "@hip/contracts";
import type { EventConsumer } from "@hip/events";
import { waitFor } from "@hip/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMaintenanceConsumer } from "../src/consumers/maintenance.consumer.ts";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { testApp } from "./app-harness.ts";
import {
  databaseHarness,
  ev,
  type Harness,
  type KafkaHarness,
  kafkaHarness,
  RETENTION,
  type Spec,
  token,
} from "./support.ts";

const MIN = 60_000;

/**
 * Uptime with and without maintenance: the alert service's `maintenance.occurrence` events arrive over real
 * Kafka (the stats service's own consumer group on integration.incident.v1); the checks inside the announced
 * interval leave the "excluding maintenance" figures, per integration and in the tenant overview.
 */
describe("uptime excluding maintenance windows", () => {
  let db: Harness;
  let kafka: KafkaHarness;
  let app: FastifyInstance;
  let consumer: EventConsumer<never>;
  const now = Date.now();
  const base = Math.floor(now / MIN) * MIN;
  const viewer = token({ tenantId: "tenant-m", roles: ["viewer"] });
  const lab: Spec = {
    id: randomUUID(),
    tenantId: "tenant-m",
    name: "LIS",
    type: "LAB_SYSTEM",
    status: "ACTIVE",
  };
  const billing: Spec = {
    id: randomUUID(),
    tenantId: "tenant-m",
    name: "Billing",
    type: "API",
    status: "ACTIVE",
  };
  const windowId = randomUUID();

  const occurrence = (seq: number, startsAt: number, endsAt: number): AnyEvent =>
    cloudEvent({
      id: randomUUID(),
      type: "maintenance.occurrence",
      source: EVENT_SOURCES.alertService,
      subject: windowId,
      tenantId: "tenant-m",
      sequence: seq,
      data: {
        window: {
          id: windowId,
          name: "Lab upgrade",
          scope: { scope: "types" as const, types: ["LAB_SYSTEM" as const] },
        },
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
      },
    }) as AnyEvent;

  beforeAll(async () => {
    db = await databaseHarness();
    kafka = await kafkaHarness();
    await kafka.bus.ensureTopics([{ topic: kafka.topics.incident, partitions: 1 }]);
    ({ app } = await testApp(db.pool));
    // One check a minute for the last hour; the lab fails in the 20 minutes of planned work (30..11 min ago).
    const at = (k: number) => new Date(base - k * MIN + 5_000);
    const events: AnyEvent[] = [
      ev.created(lab, 1, new Date(base - 2 * 60 * MIN)),
      ev.created(billing, 1, new Date(base - 2 * 60 * MIN)),
    ];
    for (let k = 60; k >= 1; k--) {
      events.push(ev.probe(lab, 61 - k, { success: k > 30 || k <= 10, latencyMs: 20, checkedAt: at(k) }));
    }
    for (let k = 20; k >= 1; k--) {
      events.push(ev.probe(billing, 21 - k, { success: k !== 15, latencyMs: 20, checkedAt: at(k) }));
    }
    await applyEvents({ pool: db.pool, events, retention: RETENTION, now });
    consumer = (await createMaintenanceConsumer({
      bus: kafka.bus,
      pool: db.pool,
      topicPrefix: kafka.prefix,
    })) as never;
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await app?.close();
    await kafka?.bus.close();
    await db?.close();
  });

  it("reports uptime with and without the checks inside the announced window", async () => {
    // Announced with a planned end of "now", then shortened by an edit (higher sequence); a stale replay of the
    // first announcement changes nothing.
    const first = occurrence(1, base - 30 * MIN, base);
    const edited = occurrence(2, base - 30 * MIN, base - 10 * MIN);
    await kafka.producer.send(kafka.topics.incident, [
      { key: windowId, value: first },
      { key: windowId, value: edited },
      { key: windowId, value: first },
    ]);
    await waitFor(async () => {
      const r = await db.pool.query("SELECT sequence FROM stats.maintenance_intervals WHERE window_id = $1", [
        windowId,
      ]);
      return Number(r.rows[0]?.sequence) === 2 ? true : null;
    });
    const res = await app.inject({
      method: "GET",
      url: `/api/integration/stats/integrations/${lab.id}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json() as IntegrationStats;
    expect(s.checks.h24).toBe(60);
    expect(s.uptime.h24).toBe(66.67);
    expect(s.maintenanceChecks.h24).toBe(20);
    expect(s.uptimeExcludingMaintenance).toEqual({ h24: 100, d7: 100, d30: 100 });

    const other = await app.inject({
      method: "GET",
      url: `/api/integration/stats/integrations/${billing.id}`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    const b = other.json() as IntegrationStats;
    expect(b.maintenanceChecks.h24).toBe(0); // the window covers LAB_SYSTEM only
    expect(b.uptimeExcludingMaintenance.h24).toBe(b.uptime.h24);

    const summary = await app.inject({
      method: "GET",
      url: "/api/integration/stats",
      headers: { authorization: `Bearer ${viewer}` },
    });
    const p = (summary.json() as StatsSummary).performance;
    expect(p.checks24h).toBe(80);
    expect(p.maintenanceChecks24h).toBe(20);
    expect(p.successRate24h).toBe(73.75); // 59 of 80
    expect(p.successRate24hExcludingMaintenance).toBe(98.33); // 59 of 60
  });
});
