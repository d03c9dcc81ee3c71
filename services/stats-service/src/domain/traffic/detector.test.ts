import type { TrafficExpectations } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { buildBaseline, HOUR_MS, hourOfWeek } from "./baseline.ts";
import {
  baselineSilenceMinutes,
  binomialTail,
  type DetectorInput,
  decide,
  evaluate,
  MINUTE_MS,
  type MinuteSample,
} from "./detector.ts";

const NOW = Date.UTC(2026, 10, 25, 10, 30, 20); // Wednesday
const minute = (ago: number, over: Partial<MinuteSample> = {}): MinuteSample => ({
  t: Math.floor(NOW / MINUTE_MS) * MINUTE_MS - ago * MINUTE_MS,
  received: 30,
  sent: 30,
  errored: 0,
  negativeAcks: 0,
  queuedMax: 1,
  oldestAgeMax: 5,
  ...over,
});
const input = (expectations: TrafficExpectations, over: Partial<DetectorInput> = {}): DetectorInput => ({
  now: NOW,
  expectations,
  firstReportAt: NOW - 2 * HOUR_MS,
  lastActivityAt: NOW - MINUTE_MS,
  recent: [1, 2, 3, 4, 5].map((m) => minute(m)),
  messagesLastHour: 1800,
  baseline: null,
  open: {},
  ...over,
});
const verdict = (i: DetectorInput, kind: string) => evaluate(i).find((v) => v.kind === kind);

describe("traffic detector (pure)", () => {
  it("fixed silence: opens at exactly silenceMinutes without messages, since the last one", () => {
    const e: TrafficExpectations = { mode: "fixed", silenceMinutes: 15 };
    expect(verdict(input(e, { lastActivityAt: NOW - 14.9 * MINUTE_MS }), "SILENT_FEED")?.active).toBe(false);
    const v = verdict(input(e, { lastActivityAt: NOW - 15 * MINUTE_MS }), "SILENT_FEED");
    expect(v).toMatchObject({ active: true, since: NOW - 15 * MINUTE_MS, expected: { silenceMinutes: 15 } });
  });

  it("minMessagesPerHour judges only a full hour of reports", () => {
    const e: TrafficExpectations = { mode: "fixed", minMessagesPerHour: 100 };
    expect(verdict(input(e, { messagesLastHour: 99 }), "SILENT_FEED")?.active).toBe(true);
    expect(verdict(input(e, { messagesLastHour: 100 }), "SILENT_FEED")?.active).toBe(false);
    const young = input(e, { messagesLastHour: 3, firstReportAt: NOW - 30 * MINUTE_MS });
    expect(verdict(young, "SILENT_FEED")?.active).toBe(false);
  });

  it("error spike: a significant rate above the threshold opens; noise and low volume do not; resolves below 80 %", () => {
    const e: TrafficExpectations = { mode: "fixed", maxErrorRatePercent: 5 };
    const spike = [1, 2, 3, 4, 5].map((m) => minute(m, { errored: 9 })); // 30 % of 30 per minute
    expect(verdict(input(e, { recent: spike }), "ERROR_SPIKE")).toMatchObject({
      active: true,
      observed: { errorRatePercent: 30 },
    });
    // 2 failures in 60 messages is 3.3 % ... and 4 in 60 (6.7 %) is above 5 % but not significant.
    const noise = [minute(1, { received: 12, sent: 12, errored: 4 }), minute(2, { received: 48, sent: 48 })];
    expect(verdict(input(e, { recent: noise }), "ERROR_SPIKE")?.active).toBe(false);
    const tiny = [minute(1, { received: 5, sent: 5, errored: 5 })];
    expect(verdict(input(e, { recent: tiny }), "ERROR_SPIKE")?.active).toBeNull();
    const open = {
      ERROR_SPIKE: { expected: verdict(input(e, { recent: spike }), "ERROR_SPIKE")?.expected ?? null },
    };
    const hovering = [1, 2, 3, 4, 5].map((m) => minute(m, { received: 100, sent: 100, errored: 5 })); // 5 %
    expect(
      verdict(input(e, { recent: hovering, open: open as DetectorInput["open"] }), "ERROR_SPIKE")?.active,
    ).toBe(true);
    const calm = [1, 2, 3, 4, 5].map((m) => minute(m, { received: 100, sent: 100, errored: 3 })); // 3 %
    expect(
      verdict(input(e, { recent: calm, open: open as DetectorInput["open"] }), "ERROR_SPIKE")?.active,
    ).toBe(false);
  });

  it("queue backlog from the newest minute: since = when the oldest message was queued", () => {
    const e: TrafficExpectations = { mode: "fixed", maxQueuedAgeSeconds: 600 };
    const stuck = [minute(0, { oldestAgeMax: 900, queuedMax: 40 }), minute(1, { oldestAgeMax: 840 })];
    const v = verdict(input(e, { recent: stuck }), "QUEUE_BACKLOG");
    expect(v?.active).toBe(true);
    expect(v?.since).toBe(NOW - 900_000);
    expect(verdict(input(e, { recent: [] }), "QUEUE_BACKLOG")?.active).toBeNull();
  });

  it("never-reported integrations and checks without thresholds give no verdict", () => {
    expect(evaluate(input({ mode: "fixed", silenceMinutes: 5 }, { firstReportAt: null }))).toEqual([]);
    expect(evaluate(input({ mode: "fixed", maxQueued: 10 })).map((v) => v.kind)).toEqual(["QUEUE_BACKLOG"]);
  });

  it("baseline silence: 30 expected messages at the low quantile, slot by slot; a lull never fires", () => {
    const first = NOW - 21 * 24 * HOUR_MS;
    const hours = [];
    for (
      let t = Math.ceil(first / HOUR_MS) * HOUR_MS;
      t < Math.floor(NOW / HOUR_MS) * HOUR_MS;
      t += HOUR_MS
    ) {
      // 600 an hour on Wednesdays 10:00-11:00 UTC, nothing otherwise
      hours.push({ t, messages: hourOfWeek(t) === hourOfWeek(NOW) ? 600 : 0, errors: 0 });
    }
    const b = buildBaseline(hours, first, NOW);
    expect(b.low[hourOfWeek(NOW)]).toBe(600);
    expect(baselineSilenceMinutes(b, NOW - 10 * MINUTE_MS, 5)).toBe(5);
    expect(baselineSilenceMinutes(b, NOW - 10 * MINUTE_MS, 1)).toBe(3);
    // From 10:58 only two minutes of this slot remain (20 messages), the rest of the week expects none: no threshold.
    expect(
      baselineSilenceMinutes(b, Math.floor(NOW / HOUR_MS) * HOUR_MS + 58 * MINUTE_MS, 1, 24 * 60),
    ).toBeNull();
    expect(baselineSilenceMinutes(buildBaseline([], NOW - 3 * 24 * HOUR_MS, NOW), NOW, 5)).toBe("unlearned");
  });

  it("decide: opens, resolves, keeps state without a verdict, resolves kinds no longer checked", () => {
    const e: TrafficExpectations = { mode: "fixed", silenceMinutes: 15 };
    const silent = evaluate(input(e, { lastActivityAt: NOW - 20 * MINUTE_MS }));
    expect(decide(silent, new Set()).map((t) => [t.kind, t.state])).toEqual([["SILENT_FEED", "opened"]]);
    expect(decide(silent, new Set(["SILENT_FEED"]))).toEqual([]);
    const back = evaluate(input(e));
    expect(decide(back, new Set(["SILENT_FEED"])).map((t) => t.state)).toEqual(["resolved"]);
    expect(decide(back, new Set(["QUEUE_BACKLOG"])).map((t) => [t.kind, t.state])).toEqual([
      ["QUEUE_BACKLOG", "resolved"],
    ]);
  });

  it("binomial tail matches small exact cases", () => {
    expect(binomialTail(2, 0.5, 1)).toBeCloseTo(0.75, 12);
    expect(binomialTail(10, 0.1, 0)).toBe(1);
    expect(binomialTail(10, 0.1, 11)).toBe(0);
    expect(binomialTail(20, 0.05, 10)).toBeGreaterThan(1e-9);
    expect(binomialTail(20, 0.05, 10)).toBeLessThan(1e-6);
    expect(binomialTail(5000, 0.05, 250)).toBeGreaterThan(0.4);
  });
});
