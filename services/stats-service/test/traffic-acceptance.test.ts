import { describe, expect, it } from "vitest";
import { replay, score } from "./traffic-replay.ts";

// Issue 14 acceptance: 30 days x 50 integrations with daily/weekly patterns and holidays, 5 outages, 3 error
// spikes, 2 stuck queues. bench/traffic/replay.bench.ts prints precision, recall and per-fault delays.
describe("traffic detector over 30 generated days", () => {
  const result = replay();
  const s = score(result);

  it("detects every injected fault (recall 1) within its threshold + 1 minute", () => {
    expect(result.faults).toHaveLength(10);
    expect(s.recall).toBe(1);
    for (const f of s.faults) {
      expect(f.alert, `${f.fault.kind} on ${f.fault.integration}`).not.toBeNull();
      expect(f.thresholdMinutes).not.toBeNull();
      expect(f.delayMinutes ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual((f.thresholdMinutes ?? 0) + 1);
    }
  });

  it("keeps silence thresholds useful: at most 30 minutes for every detected outage", () => {
    for (const f of s.faults.filter((x) => x.fault.kind === "SILENT_FEED")) {
      expect(f.thresholdMinutes ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(30);
    }
  });

  it("raises at most 1 false alert per integration over the 30 days", () => {
    expect(s.maxFalsePerIntegration).toBeLessThanOrEqual(1);
    expect(s.precision).toBeGreaterThanOrEqual(0.8);
  });
});
