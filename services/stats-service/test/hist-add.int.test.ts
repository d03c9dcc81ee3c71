import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseHarness, type Harness } from "./support.ts";

describe("stats.hist_add (element-wise sum of latency histograms)", () => {
  let db: Harness;
  beforeAll(async () => {
    db = await databaseHarness();
  });
  afterAll(async () => {
    await db?.close();
  });
  const add = async (a: number[] | null, b: number[] | null) =>
    (await db.pool.query<{ r: number[] }>("SELECT stats.hist_add($1::int[], $2::int[]) AS r", [a, b])).rows[0]
      ?.r;

  it("adds bucket by bucket, pads the shorter side with zeros, and leaves its inputs unchanged", async () => {
    expect(await add([1, 0, 2], [0, 5, 1])).toEqual([1, 5, 3]);
    expect(await add([1], [0, 0, 4])).toEqual([1, 0, 4]);
    expect(await add([1, 2, 3], [1])).toEqual([2, 2, 3]);
    expect(await add([], [0, 1])).toEqual([0, 1]);
    expect(await add(null, [2])).toEqual([2]);
    expect(await add([7, 8], [])).toEqual([7, 8]);
    const big = Array.from({ length: 104 }, (_, i) => i);
    expect(await add(big, big)).toEqual(big.map((v) => 2 * v));
  });
});
