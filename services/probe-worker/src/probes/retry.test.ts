import { afterEach, describe, expect, it, vi } from "vitest";
import { abortableSleep, backoffMs } from "./retry.ts";

describe("backoff", () => {
  it("doubles per retry with jitter in [step/2, step], capped", () => {
    expect(backoffMs(1, { random: () => 0 })).toBe(250);
    expect(backoffMs(1, { random: () => 1 })).toBe(500);
    expect(backoffMs(3, { random: () => 0.5 })).toBe(1500);
    expect(backoffMs(20, { random: () => 1 })).toBe(15_000);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it("sleep ends early on abort and leaves no timer behind", async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    let done = false;
    const p = abortableSleep(ac.signal)(10_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(done).toBe(false);
    ac.abort();
    await p; // resolves with the clock still 5 s short of the sleep
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("sleep ends at its time without abort", async () => {
    vi.useFakeTimers();
    let done = false;
    const p = abortableSleep(new AbortController().signal)(10_000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });
});
