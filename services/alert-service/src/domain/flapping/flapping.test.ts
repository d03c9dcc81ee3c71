import { describe, expect, it } from "vitest";
import { changesWithin, flappingRule, recordChange } from "./flapping.ts";

const M = 60_000;

describe("flapping rules", () => {
  it("counts changes inside the window only", () => {
    const h = [0, 10 * M, 20 * M, 31 * M, 40 * M];
    expect(changesWithin(h, 40 * M, 30)).toBe(3);
    expect(changesWithin(h, 40 * M, 60)).toBe(5);
  });
  it("is flapping only with MORE than `changes` changes in the window", () => {
    const rule = { changes: 4, windowMinutes: 30, stableMinutes: 15 };
    expect(flappingRule([rule], [0, M, 2 * M, 3 * M], 3 * M)).toBeNull();
    expect(flappingRule([rule], [0, M, 2 * M, 3 * M, 4 * M], 4 * M)).toEqual(rule);
    expect(flappingRule([rule], [0, M, 2 * M, 3 * M, 40 * M], 40 * M)).toBeNull();
  });
  it("any matching rule decides; no rule, no flapping", () => {
    const strict = { changes: 1, windowMinutes: 10, stableMinutes: 5 };
    const lax = { changes: 10, windowMinutes: 10, stableMinutes: 5 };
    expect(flappingRule([lax, strict], [0, M], M)).toEqual(strict);
    expect(flappingRule([], [0, M, 2 * M], 2 * M)).toBeNull();
  });
  it("keeps at most a day and 200 entries of history", () => {
    let h: number[] = [];
    for (let i = 0; i < 300; i++) h = recordChange(h, i * M);
    expect(h).toHaveLength(200);
    expect(recordChange([0, 2 * M], 1441 * M)).toEqual([2 * M, 1441 * M]);
  });
});
