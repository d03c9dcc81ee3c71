import { describe, expect, it } from "vitest";
import { abortableSleep, backoffMs } from "./retry.ts";

describe("backoff", () => {
  it("doubles per retry with jitter in [step/2, step], capped", () => {
    expect(backoffMs(1, { random: () => 0 })).toBe(250);
    expect(backoffMs(1, { random: () => 1 })).toBe(500);
    expect(backoffMs(3, { random: () => 0.5 })).toBe(1500);
    expect(backoffMs(20, { random: () => 1 })).toBe(15_000);
  });

  it("sleep ends early on abort", async () => {
    const ac = new AbortController();
    const started = Date.now();
    const p = abortableSleep(ac.signal)(10_000);
    ac.abort();
    await p;
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
