import { describe, expect, it } from "vitest";
import {
  BUCKETS,
  GROWTH,
  bucketOf,
  emptyHistogram,
  histLiteral,
  percentile,
  upperBound,
} from "./histogram.ts";
import { parseHist } from "./stats/window.ts";

function exactPercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

describe("latency histogram", () => {
  it("puts every value in the bucket whose bounds hold it", () => {
    for (const v of [0, 0.5, 1, 1.0001, 1.122, 2, 10, 99.9, 1000, 65_432, 119_999]) {
      const i = bucketOf(v);
      expect(v).toBeLessThanOrEqual(upperBound(i));
      if (i > 0) expect(v).toBeGreaterThan(upperBound(i - 1));
    }
    expect(bucketOf(10_000_000)).toBe(BUCKETS - 1);
  });

  it("reports percentiles within [exact, exact * growth] (1 ms absolute below 1 ms)", () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 5000 }, () => Math.exp(rnd() * 9));
    const hist = emptyHistogram();
    for (const v of values) {
      const i = bucketOf(v);
      hist[i] = (hist[i] ?? 0) + 1;
    }
    const max = Math.max(...values);
    for (const p of [0.5, 0.95, 0.99, 1]) {
      const exact = exactPercentile(values, p);
      const got = percentile(hist, p, max);
      expect(got).not.toBeNull();
      expect(got ?? 0).toBeGreaterThanOrEqual(exact - 0.001);
      expect(got ?? 0).toBeLessThanOrEqual(Math.max(exact * GROWTH, 1) + 0.001);
    }
  });

  it("is null for an empty histogram", () => {
    expect(percentile(emptyHistogram(), 0.5, 0)).toBeNull();
  });

  it("writes a histogram without its trailing empty buckets, and reads it back to the same percentiles", () => {
    const h = emptyHistogram();
    h[3] = 2;
    h[7] = 1;
    expect(histLiteral(h)).toBe("{0,0,0,2,0,0,0,1}");
    expect(histLiteral(emptyHistogram())).toBe("{0}");
    const full = emptyHistogram();
    full[BUCKETS - 1] = 1;
    expect(parseHist(histLiteral(full))).toHaveLength(BUCKETS);
    for (const p of [0.5, 0.9, 0.99])
      expect(percentile(parseHist(histLiteral(h)), p, 5)).toBe(percentile(h, p, 5));
  });
});
