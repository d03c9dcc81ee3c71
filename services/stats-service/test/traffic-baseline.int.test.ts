import { randomUUID } from "node:crypto";
import { topicNames } from "@hip/contracts";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { TrafficDetector } from "../src/jobs/traffic-detector.job.ts";
import { TrafficMetrics } from "../src/metrics/traffic-metrics.ts";
import { databaseHarness, ev, type Harness, logger, RETENTION, type Spec } from "./support.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Baseline mode through the database: hour-of-week expectations learned from three weeks of `traffic_hour` rows,
 * a silence judged against them, and a lull (nothing ever flows in this hour of the week) left alone.
 */
describe("traffic detector, baseline mode from stored hours", () => {
  let db: Harness;
  // Wednesday 2026-11-25 10:30 UTC.
  const now = Date.UTC(2026, 10, 25, 10, 30);
  const busy: Spec = { id: randomUUID(), tenantId: "t-base", name: "ADT", type: "HL7", status: "ACTIVE" };
  const lull: Spec = {
    id: randomUUID(),
    tenantId: "t-base",
    name: "Night batch",
    type: "API",
    status: "ACTIVE",
  };
  const detector = () =>
    new TrafficDetector({
      pool: db.pool,
      metrics: new TrafficMetrics(new Registry()),
      logger,
      topics: topicNames("baseline-test."),
      clock: () => now,
      intervalMs: 60_000,
      retention: { reportsHours: 48, minuteDays: 30, hourDays: 365 },
    });

  beforeAll(async () => {
    db = await databaseHarness();
    await applyEvents({
      pool: db.pool,
      events: [ev.created(busy, 1), ev.created(lull, 1)],
      retention: RETENTION,
    });
    const first = new Date(now - 21 * 24 * HOUR).toISOString();
    await db.pool.query(
      `INSERT INTO stats.traffic_state (integration_id, tenant_id, expectations, expectations_seq, first_report_at,
         last_activity_at)
       VALUES ($1, 't-base', '{"mode":"baseline"}', 1, $3, $4), ($2, 't-base', '{"mode":"baseline"}', 1, $3, $5)`,
      [
        busy.id,
        lull.id,
        first,
        new Date(now - 7 * MINUTE).toISOString(),
        new Date(now - 5 * HOUR).toISOString(),
      ],
    );
    // busy: 600 messages in every hour of the last three weeks. lull: traffic only between 02:00 and 04:00 UTC.
    await db.pool.query(
      `INSERT INTO stats.traffic_hour (integration_id, bucket, tenant_id, received, sent, reports)
       SELECT $1::uuid, h, 't-base', 600, 600, 60 FROM generate_series(date_trunc('hour', $3::timestamptz), $4::timestamptz - interval '1 hour',
         interval '1 hour') AS h
       UNION ALL
       SELECT $2::uuid, h, 't-base', 300, 300, 60 FROM generate_series(date_trunc('hour', $3::timestamptz), $4::timestamptz - interval '1 hour',
         interval '1 hour') AS h WHERE extract(hour FROM h AT TIME ZONE 'UTC') IN (2, 3)`,
      [busy.id, lull.id, first, new Date(Math.floor(now / HOUR) * HOUR).toISOString()],
    );
    // Both reporters are alive: they reported zeros a minute ago.
    await db.pool.query(
      `INSERT INTO stats.traffic_minute (integration_id, bucket, tenant_id, reports) VALUES ($1, $3, 't-base', 1),
         ($2, $3, 't-base', 1)`,
      [busy.id, lull.id, new Date(now - MINUTE - (now % MINUTE)).toISOString()],
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  it("opens a silent feed after the learned threshold, not in a lull", async () => {
    expect(await detector().tick()).toEqual({ judged: 2, opened: 1, resolved: 0 });
    const { rows } = await db.pool.query(
      "SELECT integration_id, kind, since, observed, expected FROM stats.traffic_anomalies",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      integration_id: busy.id,
      kind: "SILENT_FEED",
      // 600 messages an hour at the low quantile: 30 expected messages take 3 minutes, the floor is 5.
      expected: { mode: "baseline", silenceMinutes: 5, minMessagesPerHour: 600 },
      observed: { silentMinutes: 7 },
    });
    expect(rows[0].since.toISOString()).toBe(new Date(now - 7 * MINUTE).toISOString());
    const outbox = await db.pool.query("SELECT event_type, payload FROM stats.traffic_outbox");
    expect(outbox.rows.map((r) => r.event_type)).toEqual(["integration.traffic_anomaly"]);
    expect(outbox.rows[0].payload.data).toMatchObject({
      kind: "SILENT_FEED",
      state: "opened",
      integrationName: "ADT",
    });
    // A second detector (another replica, or after a restart) decides the same from stored state: nothing new.
    expect(await detector().tick()).toEqual({ judged: 2, opened: 0, resolved: 0 });
  });
});
