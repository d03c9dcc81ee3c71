import type {
  TrafficAnomalyKind,
  TrafficExpectation,
  TrafficExpectations,
  TrafficObservation,
} from "@hip/contracts";
import { type Baseline, buildBaseline, HOUR_MS, type HourSample } from "../src/domain/traffic/baseline.ts";
import {
  decide,
  ERROR_WINDOW_MINUTES,
  evaluate,
  MINUTE_MS,
  type MinuteSample,
  messagesOf,
} from "../src/domain/traffic/detector.ts";

/**
 * The issue-14 acceptance scenario, shared by the test (asserts) and bench/traffic/replay.bench.ts (prints):
 * 30 days of per-minute traffic for 50 integrations with a daily pattern (night lull, ramps), weekends and two
 * weekday holidays, and 5 outages, 3 error spikes and 2 stuck queues injected in the last two weeks (baseline mode
 * needs two weeks of history). The detector runs once per minute on exactly what the service would have stored.
 */
export const DAY_MS = 24 * HOUR_MS;
const DAYS = 30;
const INTEGRATIONS = 50;
/** Monday 2026-10-05 00:00 UTC. */
export const START = Date.UTC(2026, 9, 5);
const HOLIDAYS = [10, 24]; // a Thursday in week 2 and one in week 4 (day indexes from START)

export interface Fault {
  integration: number;
  kind: TrafficAnomalyKind;
  start: number;
  end: number;
}

export interface SimIntegration {
  index: number;
  peakPerMinute: number;
  baseErrorRate: number;
  expectations: TrafficExpectations;
}

/** Deterministic PRNG (mulberry32) so every run replays the same 30 days. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(lambda: number, rand: () => number): number {
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gauss(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** Share of the peak rate by UTC hour of day: night lull, morning ramp, day, evening. */
function dailyFactor(hour: number): number {
  if (hour < 6) return 0.15;
  if (hour < 9) return 0.15 + ((hour - 5) / 4) * 0.85;
  if (hour < 17) return 1;
  if (hour < 22) return 0.5;
  return 0.25;
}

export function rateAt(peak: number, t: number): number {
  const day = Math.floor((t - START) / DAY_MS);
  const weekday = day % 7; // 0 = Monday
  const quiet = weekday >= 5 ? 0.4 : HOLIDAYS.includes(day) ? 0.5 : 1;
  return peak * dailyFactor(new Date(t).getUTCHours()) * quiet;
}

export function scenario(): { integrations: SimIntegration[]; faults: Fault[] } {
  const rand = rng(14);
  const integrations: SimIntegration[] = [];
  for (let i = 0; i < INTEGRATIONS; i++) {
    const fixed = i % 4 === 3; // every fourth integration in fixed mode
    integrations.push({
      index: i,
      // an admin who sets fixed thresholds knows the feed: fixed ones are busier (20 silent minutes stay rare)
      peakPerMinute: fixed ? 15 + Math.floor(rand() * 26) : 5 + Math.floor(rand() * 36),
      baseErrorRate: 0.002 + rand() * 0.013,
      expectations: fixed
        ? { mode: "fixed", silenceMinutes: 20, maxErrorRatePercent: 5, maxQueuedAgeSeconds: 600 }
        : { mode: "baseline", maxQueuedAgeSeconds: 600 },
    });
  }
  const at = (day: number, hour: number, minute = 0) =>
    START + day * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS;
  const faults: Fault[] = [
    // outages: baseline integrations by day and by night, fixed ones by day
    { integration: 0, kind: "SILENT_FEED", start: at(15, 10, 7), end: at(15, 12) },
    { integration: 5, kind: "SILENT_FEED", start: at(17, 14, 31), end: at(17, 16, 30) },
    { integration: 9, kind: "SILENT_FEED", start: at(22, 2, 13), end: at(22, 5) },
    { integration: 3, kind: "SILENT_FEED", start: at(18, 9, 45), end: at(18, 11) },
    { integration: 7, kind: "SILENT_FEED", start: at(26, 13, 2), end: at(26, 14, 30) },
    // error spikes (30 % of messages fail)
    { integration: 12, kind: "ERROR_SPIKE", start: at(16, 11, 3), end: at(16, 11, 40) },
    { integration: 15, kind: "ERROR_SPIKE", start: at(23, 15, 20), end: at(23, 16) },
    { integration: 21, kind: "ERROR_SPIKE", start: at(27, 10, 10), end: at(27, 10, 50) },
    // stuck queues: the oldest message ages from 0 and nothing is sent
    { integration: 30, kind: "QUEUE_BACKLOG", start: at(19, 10, 0), end: at(19, 12) },
    { integration: 35, kind: "QUEUE_BACKLOG", start: at(25, 8, 30), end: at(25, 10) },
  ];
  return { integrations, faults };
}

/** One minute of one integration's traffic, with the faults applied. */
function sample(sim: SimIntegration, faults: Fault[], t: number, rand: () => number): MinuteSample {
  const active = (kind: TrafficAnomalyKind) =>
    faults.some((f) => f.integration === sim.index && f.kind === kind && t >= f.start && t < f.end);
  const stuck = faults.find(
    (f) => f.integration === sim.index && f.kind === "QUEUE_BACKLOG" && t >= f.start && t < f.end,
  );
  if (active("SILENT_FEED")) {
    return { t, received: 0, sent: 0, errored: 0, negativeAcks: 0, queuedMax: 0, oldestAgeMax: 0 };
  }
  const received = poisson(rateAt(sim.peakPerMinute, t), rand);
  const errorRate = active("ERROR_SPIKE") ? 0.3 : sim.baseErrorRate;
  let errors = 0;
  for (let k = 0; k < received; k++) if (rand() < errorRate) errors++;
  const negativeAcks = Math.floor(errors / 3);
  if (stuck) {
    const age = Math.round((t + MINUTE_MS - stuck.start) / 1000);
    return { t, received, sent: 0, errored: 0, negativeAcks: 0, queuedMax: received * 10, oldestAgeMax: age };
  }
  return {
    t,
    received,
    sent: received - errors,
    errored: errors - negativeAcks,
    negativeAcks,
    queuedMax: poisson(2, rand),
    oldestAgeMax: 5 + Math.floor(rand() * 40),
  };
}

export interface Alert {
  integration: number;
  kind: TrafficAnomalyKind;
  detectedAt: number;
  since: number;
  expected: TrafficExpectation;
  observed: TrafficObservation;
  resolvedAt: number | null;
}

export interface ReplayResult {
  alerts: Alert[];
  faults: Fault[];
  integrations: number;
  minutes: number;
  evaluations: number;
  elapsedMs: number;
}

/** Runs the detector over the whole scenario, minute by minute (ticks at each minute boundary). */
export function replay(): ReplayResult {
  const began = performance.now();
  const { integrations, faults } = scenario();
  const rand = rng(1414);
  const minutes = DAYS * 24 * 60;
  const states = integrations.map((sim) => ({
    sim,
    recent: [] as MinuteSample[],
    hours: new Map<number, HourSample>(),
    lastMinutes: [] as number[],
    lastActivityAt: null as number | null,
    baseline: null as Baseline | null,
    baselineHour: -1,
    open: new Map<TrafficAnomalyKind, Alert>(),
  }));
  const alerts: Alert[] = [];
  let evaluations = 0;
  for (let m = 0; m < minutes; m++) {
    const t = START + m * MINUTE_MS;
    const now = t + MINUTE_MS;
    for (const s of states) {
      const x = sample(s.sim, faults, t, rand);
      s.recent.push(x);
      if (s.recent.length > ERROR_WINDOW_MINUTES + 2) s.recent.shift();
      const messages = messagesOf(x);
      s.lastMinutes.push(messages);
      if (s.lastMinutes.length > 60) s.lastMinutes.shift();
      if (messages > 0) s.lastActivityAt = now;
      const hour = Math.floor(t / HOUR_MS) * HOUR_MS;
      const h = s.hours.get(hour) ?? { t: hour, messages: 0, errors: 0 };
      h.messages += messages;
      h.errors += x.errored + x.negativeAcks;
      s.hours.set(hour, h);
      if (s.sim.expectations.mode === "baseline" && Math.floor(now / HOUR_MS) !== s.baselineHour) {
        s.baselineHour = Math.floor(now / HOUR_MS);
        s.baseline = buildBaseline([...s.hours.values()], START, now);
      }
      const verdicts = evaluate({
        now,
        expectations: s.sim.expectations,
        firstReportAt: START,
        lastActivityAt: s.lastActivityAt,
        recent: s.recent,
        messagesLastHour: s.lastMinutes.reduce((a, b) => a + b, 0),
        baseline: s.baseline,
        open: Object.fromEntries([...s.open].map(([k, a]) => [k, { expected: a.expected }])),
      });
      evaluations++;
      for (const tr of decide(verdicts, new Set(s.open.keys()))) {
        if (tr.state === "opened") {
          const alert: Alert = {
            integration: s.sim.index,
            kind: tr.kind,
            detectedAt: now,
            since: tr.since,
            expected: tr.expected,
            observed: tr.observed,
            resolvedAt: null,
          };
          alerts.push(alert);
          s.open.set(tr.kind, alert);
        } else {
          const alert = s.open.get(tr.kind);
          if (alert) alert.resolvedAt = now;
          s.open.delete(tr.kind);
        }
      }
    }
  }
  return {
    alerts,
    faults,
    integrations: integrations.length,
    minutes,
    evaluations,
    elapsedMs: performance.now() - began,
  };
}

export interface FaultScore {
  fault: Fault;
  alert: Alert | null;
  delayMinutes: number | null;
  /** The fault's threshold in minutes: silenceMinutes of the alert, the error window, or maxQueuedAgeSeconds. */
  thresholdMinutes: number | null;
}

export interface Score {
  faults: FaultScore[];
  truePositives: number;
  falseAlerts: Alert[];
  precision: number;
  recall: number;
  maxFalsePerIntegration: number;
}

/**
 * An alert matches a fault when it is of the fault's kind on its integration and detected between the fault's
 * start and its end + 10 minutes; every other alert is false.
 */
export function score(r: ReplayResult): Score {
  const matched = new Set<Alert>();
  const faults: FaultScore[] = r.faults.map((fault) => {
    const alert =
      r.alerts.find(
        (a) =>
          a.integration === fault.integration &&
          a.kind === fault.kind &&
          a.detectedAt >= fault.start &&
          a.detectedAt <= fault.end + 10 * MINUTE_MS,
      ) ?? null;
    if (alert) matched.add(alert);
    const threshold =
      fault.kind === "SILENT_FEED"
        ? (alert?.expected.silenceMinutes ?? null)
        : fault.kind === "ERROR_SPIKE"
          ? ERROR_WINDOW_MINUTES
          : (alert?.expected.maxQueuedAgeSeconds ?? 0) / 60;
    return {
      fault,
      alert,
      delayMinutes: alert ? (alert.detectedAt - fault.start) / MINUTE_MS : null,
      thresholdMinutes: threshold,
    };
  });
  // Alerts during a fault of the same integration and kind (re-opened after a flap) are not false, only noisy.
  const duringFault = (a: Alert) =>
    r.faults.some(
      (f) =>
        f.integration === a.integration &&
        f.kind === a.kind &&
        a.detectedAt >= f.start &&
        a.detectedAt <= f.end + 10 * MINUTE_MS,
    );
  const falseAlerts = r.alerts.filter((a) => !matched.has(a) && !duringFault(a));
  const perIntegration = new Map<number, number>();
  for (const a of falseAlerts)
    perIntegration.set(a.integration, (perIntegration.get(a.integration) ?? 0) + 1);
  const truePositives = r.alerts.length - falseAlerts.length;
  return {
    faults,
    truePositives,
    falseAlerts,
    precision: r.alerts.length === 0 ? 1 : truePositives / r.alerts.length,
    recall: faults.filter((f) => f.alert).length / faults.length,
    maxFalsePerIntegration: Math.max(0, ...perIntegration.values()),
  };
}
