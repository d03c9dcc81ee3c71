import { describe, expect, it } from "vitest";
import { BatchCoalescer } from "./coalesce.ts";

/** A coalescer that records each joined batch it applies (and fails while `fail.now` is set). */
function recording(parts: number, waitMs: number) {
  const applied: number[][] = [];
  const fail = { now: false };
  const c = new BatchCoalescer<number>(
    async (items) => {
      if (fail.now) throw new Error("database unavailable");
      applied.push(items);
    },
    { parts, waitMs },
  );
  return { c, applied, fail };
}

describe("BatchCoalescer", () => {
  it("applies the batches waiting together as one, in arrival order, and resolves each after it", async () => {
    const { c, applied } = recording(3, 10_000);
    const a = c.submit([1, 2]);
    const b = c.submit([3]);
    expect(applied).toEqual([]); // waits for a third partition (or the timer)
    await Promise.all([a, b, c.submit([4, 5])]);
    expect(applied).toEqual([[1, 2, 3, 4, 5]]);
  });

  it("applies what waits after waitMs when fewer partitions have data", async () => {
    const { c, applied } = recording(4, 20);
    const started = Date.now();
    await Promise.all([c.submit([1]), c.submit([2])]);
    expect(applied).toEqual([[1, 2]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    await c.submit([3]);
    expect(applied).toEqual([[1, 2], [3]]);
  });

  it("rejects every batch of a failed group, and the next group starts fresh", async () => {
    const { c, applied, fail } = recording(2, 10_000);
    fail.now = true;
    const results = await Promise.allSettled([c.submit([1]), c.submit([2])]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    fail.now = false;
    await Promise.all([c.submit([1]), c.submit([2])]);
    expect(applied).toEqual([[1, 2]]);
  });

  it("with parts 1 applies each batch directly", async () => {
    const { c, applied } = recording(1, 10_000);
    await c.submit([1]);
    await c.submit([2]);
    expect(applied).toEqual([[1], [2]]);
  });
});
