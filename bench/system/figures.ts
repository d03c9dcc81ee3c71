/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

export function summary(values: number[]): {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
} {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s.at(-1) ?? Number.NaN };
}

/** Cumulative `_bucket` counts of one histogram (summed over label sets other than `le`) from Prometheus text. */
export function histogramBuckets(text: string, name: string): Map<number, number> {
  const out = new Map<number, number>();
  const re = new RegExp(`^${name}_bucket\\{([^}]*)\\}\\s+(\\S+)`, "gm");
  for (const m of text.matchAll(re)) {
    const le = /le="([^"]+)"/.exec(m[1] ?? "")?.[1];
    if (le === undefined) continue;
    const bound = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(m[2]));
  }
  return out;
}

/** Sum of every sample of a counter/gauge (all label sets) from Prometheus text; null when absent. */
export function metricSum(text: string, name: string): number | null {
  let sum: number | null = null;
  const re = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)`, "gm");
  for (const m of text.matchAll(re)) sum = (sum ?? 0) + Number(m[1]);
  return sum;
}

/**
 * Quantiles of the observations made between two scrapes of a histogram (bucket deltas): the bucket's upper
 * bound and a linear interpolation inside the bucket (what Prometheus' histogram_quantile does).
 */
export function histogramWindow(
  before: Map<number, number>,
  after: Map<number, number>,
  quantiles: number[],
): { count: number; quantiles: Record<string, { le: number | string; interpolated: number | null }> } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const cum = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const count = cum.at(-1) ?? 0;
  const result: Record<string, { le: number | string; interpolated: number | null }> = {};
  for (const q of quantiles) {
    const key = `p${Math.round(q * 100)}`;
    if (count === 0) {
      result[key] = { le: "n/a", interpolated: null };
      continue;
    }
    const rank = q * count;
    const i = cum.findIndex((c) => c >= rank);
    const upper = bounds[i] ?? Number.POSITIVE_INFINITY;
    const lower = i > 0 ? (bounds[i - 1] ?? 0) : 0;
    const below = i > 0 ? (cum[i - 1] ?? 0) : 0;
    const inBucket = (cum[i] ?? 0) - below;
    const interpolated = Number.isFinite(upper)
      ? lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1)
      : lower;
    result[key] = {
      le: Number.isFinite(upper) ? upper : "+Inf",
      interpolated: Number(interpolated.toFixed(3)),
    };
  }
  return { count, quantiles: result };
}
