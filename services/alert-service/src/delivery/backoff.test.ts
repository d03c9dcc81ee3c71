import { describe, expect, it } from "vitest";
import { nextAttemptDelay } from "./backoff.ts";

const policy = { baseMs: 1000, maxMs: 60_000, maxAgeMs: 3_600_000 };
const created = new Date(1_000_000);

describe("nextAttemptDelay", () => {
  it("grows exponentially with equal jitter and caps at maxMs", () => {
    const at = (attempt: number, r: number) =>
      nextAttemptDelay(policy, attempt, created, null, 1_000_000, () => r);
    expect(at(1, 0)).toBe(500);
    expect(at(1, 1)).toBe(1000);
    expect(at(3, 0)).toBe(2000);
    expect(at(3, 1)).toBe(4000);
    expect(at(20, 1)).toBe(60_000);
    expect(at(20, 0)).toBe(30_000);
  });

  it("never retries before Retry-After", () => {
    expect(nextAttemptDelay(policy, 1, created, 45_000, 1_000_000, () => 0)).toBe(45_000);
  });

  it("schedules the last attempt at the deadline and gives up after it", () => {
    const deadline = created.getTime() + policy.maxAgeMs;
    expect(nextAttemptDelay(policy, 30, created, null, deadline - 10, () => 1)).toBe(10);
    expect(nextAttemptDelay(policy, 30, created, 999_999, deadline - 10, () => 1)).toBe(10);
    expect(nextAttemptDelay(policy, 30, created, null, deadline, () => 1)).toBeNull();
  });
});
