/**
 * Hour-of-week baselines for traffic (issue 14): per UTC hour-of-week slot (0 = Monday 00:00 UTC … 167), the
 * messages (received + sent) and the error rate of the same slot over the last four weeks. `low` is a low
 * quantile (the second-lowest of ≥ 3 samples, the lowest of 2) so one outage or holiday in the history does
 * not erase the expectation; `median` is the typical volume. A slot with fewer than 2 samples is not ready (NaN).
 */
export const HOUR_MS = 3_600_000;
export const WEEK_MS = 7 * 24 * HOUR_MS;
export const BASELINE_WEEKS = 4;

export interface HourSample {
  /** Hour start (ms). */
  t: number;
  messages: number;
  errors: number;
}

export interface Baseline {
  low: Float64Array;
  median: Float64Array;
  errorRateMedian: Float64Array;
}

/** 0..167; the Unix epoch was a Thursday, so shift by 3 days to start weeks on Monday. */
export function hourOfWeek(ms: number): number {
  const hours = Math.floor(ms / HOUR_MS) + 3 * 24;
  return ((hours % 168) + 168) % 168;
}

/**
 * Builds the baseline at `now` from hour totals. Hours in [max(firstReportAt, now - 4 weeks), current hour) count;
 * an hour without a sample counts as 0 messages (the reporter was reporting, nothing flowed).
 */
export function buildBaseline(hours: HourSample[], firstReportAt: number, now: number): Baseline {
  const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
  const start = Math.max(
    Math.ceil(firstReportAt / HOUR_MS) * HOUR_MS,
    currentHour - BASELINE_WEEKS * WEEK_MS,
  );
  const byHour = new Map(hours.map((h) => [h.t, h]));
  const slots: Array<{ messages: number[]; rates: number[] }> = Array.from({ length: 168 }, () => ({
    messages: [],
    rates: [],
  }));
  for (let t = start; t < currentHour; t += HOUR_MS) {
    const h = byHour.get(t);
    const slot = slots[hourOfWeek(t)];
    if (!slot) continue;
    const messages = h?.messages ?? 0;
    slot.messages.push(messages);
    if (messages > 0) slot.rates.push(((h?.errors ?? 0) / messages) * 100);
  }
  const low = new Float64Array(168).fill(Number.NaN);
  const median = new Float64Array(168).fill(Number.NaN);
  const errorRateMedian = new Float64Array(168).fill(Number.NaN);
  slots.forEach((s, i) => {
    if (s.messages.length >= 2) {
      const sorted = [...s.messages].sort((a, b) => a - b);
      low[i] = sorted.length >= 3 ? (sorted[1] ?? 0) : (sorted[0] ?? 0);
      median[i] = medianOf(sorted);
    }
    if (s.rates.length >= 2) errorRateMedian[i] = medianOf([...s.rates].sort((a, b) => a - b));
  });
  return { low, median, errorRateMedian };
}

function medianOf(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
