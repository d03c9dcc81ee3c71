import { randomUUID } from "node:crypto";
import type { AnyEvent } from "@hip/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEvents } from "../src/domain/projection/apply-events.ts";
import { databaseHarness, ev, type Harness, RETENTION, type Spec, snapshotModel } from "./support.ts";

/** The single-statement probe path and the general (locking) path must build identical read models. */
describe("probe-only fast path == general path", () => {
  let fast: Harness;
  let general: Harness;
  beforeAll(async () => {
    [fast, general] = await Promise.all([databaseHarness(), databaseHarness()]);
  });
  afterAll(async () => {
    await Promise.all([fast?.close(), general?.close()]);
  });

  it("gives the same rows, roll-ups and histograms", async () => {
    const now = Date.now();
    const specs: Spec[] = [0, 1, 2].map((i) => ({
      id: randomUUID(),
      tenantId: `tenant-${i % 2}`,
      name: `i${i}`,
      type: i === 2 ? "FHIR" : "HL7",
      status: "ACTIVE",
    }));
    const probes: AnyEvent[] = Array.from({ length: 300 }, (_, k) =>
      ev.probe(specs[k % 3] as Spec, k, {
        success: k % 5 !== 0,
        latencyMs: (k * 37) % 900,
        checkedAt: new Date(now - ((k * 7919) % (3 * 86_400_000))),
      }),
    );
    const created = specs.map((s) => ev.created(s, 1, new Date(now - 4 * 86_400_000)));
    // Fast: creations alone, then probe-only batches (each probe batch takes the single-statement path).
    await applyEvents({ pool: fast.pool, events: created, retention: RETENTION, now });
    for (let i = 0; i < probes.length; i += 40) {
      await applyEvents({ pool: fast.pool, events: probes.slice(i, i + 40), retention: RETENTION, now });
    }
    // General: every batch carries a config event, so it always takes the locking path.
    const [first, ...rest] = created;
    await applyEvents({ pool: general.pool, events: first ? [first] : [], retention: RETENTION, now });
    for (let i = 0; i < probes.length; i += 40) {
      const extra = i === 0 ? rest : [];
      await applyEvents({
        pool: general.pool,
        events: [...extra, ...probes.slice(i, i + 40)],
        retention: RETENTION,
        now,
      });
    }
    // A redelivered batch mixed with new events: the fast path must refuse it and the general path dedupe it.
    const more = specs.map((s, k) =>
      ev.probe(s, 1000 + k, { success: false, latencyMs: 3, checkedAt: new Date(now) }),
    );
    const mixed = [...probes.slice(0, 40), ...more];
    await applyEvents({ pool: fast.pool, events: mixed, retention: RETENTION, now });
    await applyEvents({
      pool: general.pool,
      events: [...mixed, ...created.slice(0, 1)],
      retention: RETENTION,
      now,
    });
    const [a, b] = await Promise.all([snapshotModel(fast.pool), snapshotModel(general.pool)]);
    expect(a.checks).toHaveLength(
      probes.filter(
        (p) =>
          p.type === "integration.probe_completed" && Date.parse(p.data.checkedAt) >= now - 7 * 86_400_000,
      ).length + more.length,
    );
    expect(a.rollupMinute?.length).toBeGreaterThan(100);
    for (const key of Object.keys(a)) expect(a[key], key).toEqual(b[key]);
  });
});
