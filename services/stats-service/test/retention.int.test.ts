import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { pruneOnce } from "../src/jobs/retention.job.ts";
import { databaseHarness, ev, type Harness, type Spec } from "./support.ts";

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

  it("does not write events older than a table's retention (rebuild respects retention)", async () => {
    const old = ev.probe(s, 99, { success: false, latencyMs: 1, checkedAt: new Date(Date.now() - 20 * day) });
    await applyEvents({ pool: db.pool, retention: { raw: 7, minute: 30, hour: 365 }, events: [old] });
    const raw = await db.pool.query("SELECT 1 FROM stats.checks WHERE event_id = $1", [old.id]);
    expect(raw.rowCount).toBe(0);
    expect(await count("rollup_minute")).toBe(3);
  });
});
