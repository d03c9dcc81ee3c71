import { randomUUID } from "node:crypto";
import type { AnyEvent } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { StatusStore } from "./store.ts";
import { events, spec } from "./testing.ts";

/** Deterministic shuffle (LCG), so a failure names a reproducible order. */
function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("StatusStore", () => {
  const a = spec("t1", "LIS");
  const gone = spec("t1", "Old PACS", { type: "IMAGING_SYSTEM" });
  const other = spec("t2", "Other tenant");
  const inc = randomUUID();
  const history: AnyEvent[] = [
    events.created(a, 1),
    events.statusChanged(a, 2, "ACTIVE", "TESTING"),
    events.statusChanged(a, 3, "TESTING", "ERROR"),
    events.incident(a, 1, inc, "open"),
    events.updated({ ...a, name: "LIS (main)", status: "ERROR" }, 4, ["name"]),
    events.incident(a, 2, inc, "acknowledged"),
    events.statusChanged(a, 5, "ERROR", "ACTIVE"),
    events.probe(a, 900, true),
    events.created(gone, 1),
    events.statusChanged(gone, 2, "ACTIVE", "ERROR"),
    events.deleted(gone, 3),
    events.created(other, 1),
  ];

  const fold = (list: AnyEvent[]) => {
    const store = new StatusStore("t1");
    for (const e of list) store.apply(e);
    return store;
  };

  it("converges to the same state in any delivery order, with duplicates", () => {
    const expected = fold(history);
    expect(expected.get(a.id)).toMatchObject({
      name: "LIS (main)",
      status: "ACTIVE",
      sequence: 5,
      incident: { id: inc, state: "acknowledged" },
      available: false,
    });
    expect(expected.get(gone.id)).toBeUndefined();
    expect(expected.get(other.id)).toBeUndefined();
    for (let seed = 1; seed <= 50; seed++) {
      const order = shuffled([...history, ...history.slice(0, 5)], seed);
      const got = fold(order);
      expect(got.get(a.id), `seed ${seed}`).toEqual(expected.get(a.id));
      expect(got.get(gone.id), `seed ${seed}`).toBeUndefined();
      expect(got.list().next().done === false).toBe(true);
    }
  });

  it("reports visible changes only: not for duplicates, older events, other tenants or placeholders", () => {
    const store = new StatusStore("t1");
    expect(store.apply(events.statusChanged(a, 2, "ACTIVE", "ERROR"))).toBeNull(); // placeholder, not visible
    const created = events.created(a, 1);
    expect(store.apply(created)).toMatchObject({
      before: undefined,
      after: { status: "ERROR", name: "LIS" },
    });
    expect(store.apply(created)).toBeNull();
    expect(store.apply(events.statusChanged(a, 1, "TESTING", "ACTIVE"))).toBeNull();
    expect(store.apply(events.created(other, 1))).toBeNull();
    expect(store.held).toBe(1);
    expect(store.apply(events.statusChanged(a, 3, "ERROR", "ACTIVE"))).toMatchObject({
      before: { available: false },
      after: { available: true },
    });
  });
});
