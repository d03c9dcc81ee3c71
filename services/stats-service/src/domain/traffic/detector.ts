import type {
  TrafficAnomalyKind,
  TrafficExpectation,
  TrafficExpectations,
  TrafficObservation,
} from "@hip/contracts";
import { type Baseline, HOUR_MS, hourOfWeek } from "./baseline.ts";

/**
 * The traffic anomaly detector (issue 14): a pure function of the stored state at `now`, so the service, a
 * restart and the 30-day replay test reach the same verdicts. Windows are whole minutes before `now`; gauges
 * (queue) use the newest minute reported in the last two.
 */
export const MINUTE_MS = 60_000;
/** Error rate window and the least traffic it needs for a verdict. */
export const ERROR_WINDOW_MINUTES = 5;
export const ERROR_MIN_VOLUME = 20;
/**
 * A spike must be significant, not just a rate: with windows sliding every minute, "5 errors in 60 messages"
 * happens by chance many times a month at a 1.5 % base rate. It opens when the errors are above the threshold
 * rate AND that many errors would be this unlikely (binomial upper tail) if the true rate were the threshold.
 */
export const ERROR_SIGNIFICANCE = 1e-6;
export const ERROR_MIN_ERRORS = 5;
/**
 * Baseline mode: silent once this many messages were expected (at the low quantile) and none came. Gaps that long
 * occur about μ·e^(-μ·m) times a minute in Poisson traffic of rate μ: ≈ e^-30 at the expected rate, and about
 * once a year per feed on a holiday that runs at half of it.
 */
export const SILENCE_EXPECTED_MESSAGES = 30;
export const BASELINE_SILENCE_FLOOR_MINUTES = 5;
/** Baseline mode: an error rate this many times the slot's median (and above the fixed floor) is a spike. */
export const BASELINE_ERROR_FACTOR = 3;
export const DEFAULT_MAX_ERROR_RATE_PERCENT = 5;
export const DEFAULT_MAX_QUEUED_AGE_SECONDS = 900;
/** Hysteresis: a spike resolves below 80 % of its threshold, so a rate hovering at it does not flap. */
const RESOLVE_FACTOR = 0.8;

/** Messages in a window: the larger of received and sent (a forwarded message is one message, not two). */
export const messagesOf = (m: { received: number; sent: number }): number => Math.max(m.received, m.sent);

/** ln(n!) (exact below 32, Stirling-Ramanujan above; error < 1e-9 there). */
function logFactorial(n: number): number {
  if (n < 32) {
    let r = 0;
    for (let i = 2; i <= n; i++) r += Math.log(i);
    return r;
  }
  return n * Math.log(n) - n + Math.log(n * (1 + 4 * n * (1 + 2 * n))) / 6 + Math.log(Math.PI) / 2;
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed from k upwards until the terms vanish. */
export function binomialTail(n: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  let log =
    logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  let sum = 0;
  for (let i = k; i <= n; i++) {
    const term = Math.exp(log);
    sum += term;
    if (term < sum * 1e-12) break;
    log += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, sum);
}

export interface MinuteSample {
  /** Minute start (ms). */
  t: number;
  received: number;
  sent: number;
  errored: number;
  negativeAcks: number;
  queuedMax: number | null;
  oldestAgeMax: number | null;
}

export interface DetectorInput {
  now: number;
  expectations: TrafficExpectations;
  /** Start of the first report ever stored (null: never reported, nothing is judged). */
  firstReportAt: number | null;
  /** End of the newest window with received + sent > 0. */
  lastActivityAt: number | null;
  /** Minute samples of at least the last ERROR_WINDOW_MINUTES + 1 minutes (missing minutes = nothing reported). */
  recent: MinuteSample[];
  /** Messages over the last 60 minutes (for minMessagesPerHour). */
  messagesLastHour: number;
  baseline: Baseline | null;
  /** Kinds open now, with their thresholds (a silence keeps the threshold it opened with). */
  open: Partial<Record<TrafficAnomalyKind, { expected: TrafficExpectation }>>;
}

/** `active` true: the condition holds; false: it does not; null: no verdict (not enough data, keep the state). */
export interface Verdict {
  kind: TrafficAnomalyKind;
  active: boolean | null;
  since: number;
  observed: TrafficObservation;
  expected: TrafficExpectation;
}

const noObservation: TrafficObservation = {
  messagesLastHour: null,
  silentMinutes: null,
  errorRatePercent: null,
  queued: null,
  oldestQueuedAgeSeconds: null,
};

function expectation(e: TrafficExpectations, over: Partial<TrafficExpectation>): TrafficExpectation {
  return {
    mode: e.mode,
    minMessagesPerHour: null,
    silenceMinutes: null,
    maxErrorRatePercent: null,
    maxQueued: null,
    maxQueuedAgeSeconds: null,
    ...over,
  };
}

export function evaluate(input: DetectorInput): Verdict[] {
  if (input.firstReportAt === null) return [];
  return [silence(input), errorSpike(input), backlog(input)].filter((v): v is Verdict => v !== null);
}

/**
 * Minutes of silence after which baseline mode calls a feed silent, counted from `from`: when the messages
 * expected at the low quantile since then reach SILENCE_EXPECTED_MESSAGES (never before the floor). Null when the
 * expectation is not reached within `maxMinutes` (a lull where nothing is expected); "unlearned" when a slot on
 * the way has under two samples.
 */
export function baselineSilenceMinutes(
  baseline: Baseline,
  from: number,
  floorMinutes: number,
  maxMinutes = 7 * 24 * 60,
): number | null | "unlearned" {
  let expected = 0;
  let t = from;
  const end = from + maxMinutes * MINUTE_MS;
  while (t < end) {
    const slot = hourOfWeek(t);
    const perMinute = (baseline.low[slot] ?? Number.NaN) / 60;
    if (Number.isNaN(perMinute)) return "unlearned";
    const hourEnd = Math.min(end, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS);
    const minutes = (hourEnd - t) / MINUTE_MS;
    if (perMinute > 0 && expected + perMinute * minutes >= SILENCE_EXPECTED_MESSAGES) {
      const at = t + ((SILENCE_EXPECTED_MESSAGES - expected) / perMinute) * MINUTE_MS;
      return Math.max(floorMinutes, Math.ceil((at - from) / MINUTE_MS));
    }
    expected += perMinute * minutes;
    t = hourEnd;
  }
  return null;
}

function silence(input: DetectorInput): Verdict | null {
  const e = input.expectations;
  const first = input.firstReportAt ?? input.now;
  const quietSince = input.lastActivityAt ?? first;
  const silentMinutes = Math.max(0, (input.now - quietSince) / MINUTE_MS);
  const observed = { ...noObservation, silentMinutes, messagesLastHour: input.messagesLastHour };
  let threshold: number | null = null;
  if (e.mode === "baseline") {
    const kept = input.open.SILENT_FEED?.expected.silenceMinutes ?? null;
    const learned = input.baseline
      ? baselineSilenceMinutes(input.baseline, quietSince, e.silenceMinutes ?? BASELINE_SILENCE_FLOOR_MINUTES)
      : "unlearned";
    // Not learned yet (under two weeks of history for a slot): the fixed silenceMinutes, if given, applies.
    threshold = kept ?? (learned === "unlearned" ? (e.silenceMinutes ?? null) : learned);
  } else {
    threshold = e.silenceMinutes ?? null;
  }
  const slot = input.baseline?.low[hourOfWeek(input.now)];
  const expectedBase = {
    silenceMinutes: threshold,
    minMessagesPerHour:
      e.minMessagesPerHour ??
      (slot !== undefined && !Number.isNaN(slot) ? Math.round(slot * 100) / 100 : null),
  };
  const silent = threshold !== null && silentMinutes >= threshold;
  // minMessagesPerHour judges a full hour only.
  const hourKnown = input.now - first >= HOUR_MS;
  const low =
    e.minMessagesPerHour !== undefined && hourKnown && input.messagesLastHour < e.minMessagesPerHour;
  if (threshold === null && e.minMessagesPerHour === undefined) return null;
  const active = silent || low;
  return {
    kind: "SILENT_FEED",
    active,
    since: silent ? quietSince : input.now - HOUR_MS,
    observed,
    expected: expectation(e, expectedBase),
  };
}

function errorSpike(input: DetectorInput): Verdict | null {
  const e = input.expectations;
  const windowEnd = Math.floor(input.now / MINUTE_MS) * MINUTE_MS;
  const windowStart = windowEnd - ERROR_WINDOW_MINUTES * MINUTE_MS;
  let threshold: number | null = e.maxErrorRatePercent ?? null;
  if (e.mode === "baseline") {
    const median = input.baseline?.errorRateMedian[hourOfWeek(input.now)];
    const learned = median !== undefined && !Number.isNaN(median) ? median * BASELINE_ERROR_FACTOR : 0;
    threshold = Math.max(e.maxErrorRatePercent ?? DEFAULT_MAX_ERROR_RATE_PERCENT, learned);
  }
  if (threshold === null) return null;
  let volume = 0;
  let errors = 0;
  let since: number | null = null;
  for (const m of input.recent) {
    if (m.t < windowStart || m.t >= windowEnd) continue;
    const v = messagesOf(m);
    const x = m.errored + m.negativeAcks;
    volume += v;
    errors += x;
    if (v > 0 && (x / v) * 100 > threshold && (since === null || m.t < since)) since = m.t;
  }
  const expected = expectation(e, { maxErrorRatePercent: Math.round(threshold * 100) / 100 });
  if (volume < ERROR_MIN_VOLUME) {
    return { kind: "ERROR_SPIKE", active: null, since: windowStart, observed: noObservation, expected };
  }
  const rate = (errors / volume) * 100;
  const isOpen = input.open.ERROR_SPIKE !== undefined;
  const significant =
    errors >= ERROR_MIN_ERRORS &&
    binomialTail(volume, Math.min(1, threshold / 100), Math.min(errors, volume)) < ERROR_SIGNIFICANCE;
  const active = isOpen ? rate > threshold * RESOLVE_FACTOR : rate > threshold && significant;
  return {
    kind: "ERROR_SPIKE",
    active,
    since: since ?? windowStart,
    observed: { ...noObservation, errorRatePercent: Math.round(rate * 100) / 100 },
    expected,
  };
}

function backlog(input: DetectorInput): Verdict | null {
  const e = input.expectations;
  const maxAge =
    e.maxQueuedAgeSeconds ??
    (e.mode === "baseline" && e.maxQueued === undefined ? DEFAULT_MAX_QUEUED_AGE_SECONDS : null);
  const maxQueued = e.maxQueued ?? null;
  if (maxAge === null && maxQueued === null) return null;
  const expected = expectation(e, { maxQueuedAgeSeconds: maxAge, maxQueued });
  const recentFrom = Math.floor(input.now / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  let newest: MinuteSample | null = null;
  for (const m of input.recent) {
    if (m.t >= recentFrom && m.t <= input.now && (newest === null || m.t > newest.t)) newest = m;
  }
  if (!newest || (newest.queuedMax === null && newest.oldestAgeMax === null)) {
    return { kind: "QUEUE_BACKLOG", active: null, since: input.now, observed: noObservation, expected };
  }
  const age = newest.oldestAgeMax;
  const queued = newest.queuedMax;
  const tooOld = maxAge !== null && age !== null && age > maxAge;
  const tooMany = maxQueued !== null && queued !== null && queued > maxQueued;
  const sampleEnd = Math.min(input.now, newest.t + MINUTE_MS);
  return {
    kind: "QUEUE_BACKLOG",
    active: tooOld || tooMany,
    since: tooOld && age !== null ? sampleEnd - age * 1000 : newest.t,
    observed: { ...noObservation, queued, oldestQueuedAgeSeconds: age },
    expected,
  };
}

export interface Transition {
  kind: TrafficAnomalyKind;
  state: "opened" | "resolved";
  since: number;
  observed: TrafficObservation;
  expected: TrafficExpectation;
}

/**
 * What changes, given the verdicts and the kinds open now: a condition that holds and is not open opens; an open
 * one whose condition no longer holds, or that is no longer checked at all (expectations changed), resolves; no
 * verdict (not enough data) changes nothing. Deciding from stored state makes a repeated tick a no-op.
 */
export function decide(verdicts: Verdict[], open: ReadonlySet<TrafficAnomalyKind>): Transition[] {
  const out: Transition[] = [];
  const checked = new Set<TrafficAnomalyKind>();
  for (const v of verdicts) {
    checked.add(v.kind);
    if (v.active === null) continue;
    if (v.active && !open.has(v.kind)) out.push({ ...v, state: "opened" });
    if (!v.active && open.has(v.kind)) out.push({ ...v, state: "resolved" });
  }
  for (const kind of open) {
    if (!checked.has(kind)) {
      out.push({
        kind,
        state: "resolved",
        since: 0,
        observed: noObservation,
        expected: {
          mode: "fixed",
          minMessagesPerHour: null,
          silenceMinutes: null,
          maxErrorRatePercent: null,
          maxQueued: null,
          maxQueuedAgeSeconds: null,
        },
      });
    }
  }
  return out;
}
