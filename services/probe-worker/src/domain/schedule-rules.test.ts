import { describe, expect, it } from "vitest";
import { firstDueAt } from "./check-wheel.ts";
import { desiredSchedule, intervalMs, scheduleOffsetMs } from "./desired-schedule.ts";
import { manualProbeEventId, scheduledProbeEventId, uuidV5 } from "./event-id.ts";

const hc = (enabled: boolean) => ({ enabled, intervalSeconds: 60 });

describe("desiredSchedule", () => {
  it("schedules ACTIVE and ERROR with checks enabled, removes INACTIVE or disabled, keeps TESTING", () => {
    expect(desiredSchedule({ status: "ACTIVE", healthCheck: hc(true) })).toBe("present");
    expect(desiredSchedule({ status: "ERROR", healthCheck: hc(true) })).toBe("present");
    expect(desiredSchedule({ status: "INACTIVE", healthCheck: hc(true) })).toBe("absent");
    expect(desiredSchedule({ status: "ACTIVE", healthCheck: hc(false) })).toBe("absent");
    expect(desiredSchedule({ status: "TESTING", healthCheck: hc(true) })).toBe("keep");
    expect(desiredSchedule({ status: "TESTING", healthCheck: hc(false) })).toBe("absent");
  });

  it("spreads schedulers over the interval with a stable per-integration offset", () => {
    const every = intervalMs(60);
    expect(every).toBe(60_000);
    const ids = Array.from(
      { length: 2000 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    );
    const offsets = ids.map((id) => scheduleOffsetMs(id, every));
    expect(offsets.every((o) => o >= 0 && o < every)).toBe(true);
    expect(scheduleOffsetMs(ids[0] ?? "", every)).toBe(offsets[0]);
    const buckets = new Array(10).fill(0);
    for (const o of offsets) buckets[Math.floor(o / 6_000)]++;
    // Roughly uniform: every tenth of the minute gets between 5% and 15% of the checks.
    for (const b of buckets) expect(b).toBeGreaterThan(100);
    for (const b of buckets) expect(b).toBeLessThan(300);
  });
});

describe("event ids", () => {
  it("are RFC 9562 v5 UUIDs, stable per name and distinct across names", () => {
    const id = uuidV5("x");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidV5("x")).toBe(id);
    expect(uuidV5("y")).not.toBe(id);
    const test = "2b8f6a52-3c1e-4c4b-9a51-0f6f0b1d2e3f";
    expect(manualProbeEventId(test)).toBe(manualProbeEventId(test));
    expect(scheduledProbeEventId("health:a", 1000)).not.toBe(scheduledProbeEventId("health:a", 2000));
  });

  it("gives a new schedule its first due time at its stable phase, strictly in the future", () => {
    const id = "2b8f6a52-3c1e-4c4b-9a51-0f6f0b1d2e3f";
    const every = 60_000;
    const phase = scheduleOffsetMs(id, every);
    for (const now of [1_795_930_642_700, 1_795_930_642_700 + 17_123, phase + 120_000, phase + 119_999]) {
      const first = firstDueAt(id, every, now);
      expect(first).toBeGreaterThan(now);
      expect(first - now).toBeLessThanOrEqual(every);
      expect(first % every).toBe(phase);
    }
  });
});
