import { STATS_LATENCY_BUCKET_GROWTH } from "@hip/contracts";

/**
 * Fixed log-spaced latency buckets, shared by every roll-up so histograms merge by element-wise addition.
 * Bucket 0 holds [0, 1] ms; bucket i (1..N-2) holds (G^(i-1), G^i] ms; the last bucket holds everything above
 * ~120 s. A percentile is reported as the upper bound of the bucket holding its rank, clamped to the largest
 * latency seen, so it lies in [exact, exact * G] (G = 1.122: at most +12.2 %), or within 1 ms below 1 ms.
 */
export const GROWTH = STATS_LATENCY_BUCKET_GROWTH;
const LN_G = Math.log(GROWTH);
const MAX_FINITE_MS = 120_000;
/** Number of buckets, including bucket 0 and the overflow bucket. */
export const BUCKETS = Math.ceil(Math.log(MAX_FINITE_MS) / LN_G) + 2;

export function upperBound(i: number): number {
  return i >= BUCKETS - 1 ? Number.POSITIVE_INFINITY : GROWTH ** i;
}

export function bucketOf(ms: number): number {
  if (!(ms > 1)) return 0;
  let i = Math.ceil(Math.log(ms) / LN_G);
  // Float rounding at exact bucket bounds: make sure upperBound(i-1) < ms <= upperBound(i).
  while (i < BUCKETS - 1 && upperBound(i) < ms) i++;
  while (i > 1 && upperBound(i - 1) >= ms) i--;
  return Math.min(i, BUCKETS - 1);
}

export function emptyHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

export function addInto(target: number[], source: readonly number[]): void {
  for (let i = 0; i < BUCKETS; i++) target[i] = (target[i] ?? 0) + (source[i] ?? 0);
}

/**
 * Nearest-rank percentile (p in 0..1) from a histogram: the upper bound of the bucket holding rank ceil(p*n),
 * clamped to `max` (the largest latency observed). Null when the histogram is empty.
 */
export function percentile(hist: readonly number[], p: number, max: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) return round(Math.min(upperBound(i), max));
  }
  return round(max);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Postgres array literal of a histogram ("{0,1,...}") for passing through unnest($n::text[])::int[], without its
 * trailing empty buckets (at least one element is kept). A roll-up row of one integration mostly holds latencies of
 * one order of magnitude: a full row is 104 ints (~440 bytes) written again on every check that updates it, a
 * trimmed one is as long as its slowest bucket (~10 at loopback speed, 35-55 for 50-500 ms). Readers treat missing
 * buckets as zeros (percentile(), parseHist(), stats.hist_add pads the shorter side).
 */
export function histLiteral(hist: readonly number[]): string {
  let end = hist.length;
  while (end > 1 && !hist[end - 1]) end--;
  return `{${hist.slice(0, end).join(",")}}`;
}
