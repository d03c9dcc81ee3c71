import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { pruneOnce } from "../src/jobs/retention.job.ts";
import { databaseHarness, ev, type Harness, RETENTION, type Spec } from "./support.ts";

describe("retention", () => {
  let db: Harness;
  const day = 86_400_000;
  const s: Spec = { id: randomUUID(), tenantId: "tenant-r", name: "r", type: "API", status: "ACTIVE" };
  const count = async (table: string) =>
    Number((await db.pool.query(`SELECT count(*) AS n FROM stats.${table}`)).rows[0]?.n);

  beforeAll(async () => {
    db = await databaseHarness();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("prunes raw checks, minute and hour roll-ups past their retention and keeps the rest", async () => {
    const wide = { raw: 365, minute: 365, hour: 365 };
    const ages = [1, 10, 40, 400];
    await applyEvents({
      pool: db.pool,
      retention: wide,
      events: ages.map((d, i) =>
        ev.probe(s, i + 1, { success: true, latencyMs: 5, checkedAt: new Date(Date.now() - d * day) }),
      ),
    });
    // Inserted with wide retention, the 400-day one was already skipped for every table.
    expect(await count("checks")).toBe(3);
    const deleted = await pruneOnce({ pool: db.pool, retention: { raw: 7, minute: 30, hour: 365 } });
    expect(deleted).toMatchObject({ checks: 2, rollup_minute: 1, tenant_rollup_minute: 1, rollup_hour: 0 });
    expect(await count("checks")).toBe(1);
    expect(await count("rollup_minute")).toBe(2);
    expect(await count("rollup_hour")).toBe(3);
  });

  it("does not apply probe results checked before 90 % of the raw retention (their dedupe record may be gone)", async () => {
    const retention = { raw: 7, minute: 30, hour: 365 };
    const old = ev.probe(s, 99, { success: false, latencyMs: 1, checkedAt: new Date(Date.now() - 20 * day) });
    const edge = ev.probe(s, 100, {
      success: false,
      latencyMs: 1,
      checkedAt: new Date(Date.now() - 6.4 * day),
    });
    const recent = ev.probe(s, 101, {
      success: true,
      latencyMs: 2,
      checkedAt: new Date(Date.now() - 6 * day),
    });
    const result = await applyEvents({ pool: db.pool, retention, events: [old, edge, recent] });
    expect(result).toMatchObject({ applied: 1, duplicates: 0, stale: 2 });
    const raw = await db.pool.query("SELECT event_id FROM stats.checks WHERE event_id = ANY($1::uuid[])", [
      [old.id, edge.id, recent.id],
    ]);
    expect(raw.rows.map((r) => r.event_id)).toEqual([recent.id]);
    // Only the recent one reached the roll-ups (2 minute rows were left by the first test).
    expect(await count("rollup_minute")).toBe(3);
  });

  it("a probe result's raw check row is its dedupe record (no processed_events id is written for it)", async () => {
    const p = ev.probe(s, 200, { success: true, latencyMs: 3, checkedAt: new Date(Date.now() - 60_000) });
    const hourCount = async () =>
      Number((await db.pool.query("SELECT coalesce(sum(count), 0) AS n FROM stats.rollup_hour")).rows[0]?.n);
    const before = await hourCount();
    expect(await applyEvents({ pool: db.pool, retention: RETENTION, events: [p] })).toMatchObject({
      applied: 1,
    });
    const ids = await db.pool.query("SELECT 1 FROM stats.processed_events WHERE event_id = $1", [p.id]);
    expect(ids.rowCount).toBe(0);
    // Redelivered alone (fast path) and with a config event (general path): counted once.
    expect(await applyEvents({ pool: db.pool, retention: RETENTION, events: [p] })).toMatchObject({
      applied: 0,
      duplicates: 1,
    });
    const created = ev.created(s, 300);
    expect(await applyEvents({ pool: db.pool, retention: RETENTION, events: [created, p] })).toMatchObject({
      applied: 1,
      duplicates: 1,
    });
    expect(await hourCount()).toBe(before + 1);
  });
});
