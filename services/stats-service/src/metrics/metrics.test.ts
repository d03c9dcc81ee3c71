import { describe, expect, it } from "vitest";
import { StatsMetrics } from "./metrics.ts";

const bucket = (text: string, le: string) =>
  Number(
    new RegExp(`^hip_stats_event_apply_delay_seconds_bucket\\{le="${le}"\\} (\\d+)`, "m").exec(text)?.[1],
  );

describe("hip_stats_event_apply_delay_seconds", () => {
  // The read-model lag goal is p99 < 2 s (issue 13, bench/system): the histogram must tell 1.5 s from 3 s.
  it("separates delays on both sides of the 2 s goal", async () => {
    const metrics = new StatsMetrics({ defaultMetrics: false });
    metrics.applyLag.observe(1.5);
    metrics.applyLag.observe(3);
    metrics.applyLag.observe(8);
    const text = await metrics.registry.metrics();
    expect(bucket(text, "1")).toBe(0);
    expect(bucket(text, "2")).toBe(1);
    expect(bucket(text, "5")).toBe(2);
    expect(bucket(text, "10")).toBe(3);
  });
});
