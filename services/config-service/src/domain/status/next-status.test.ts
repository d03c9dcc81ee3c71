import { describe, expect, it } from "vitest";
import { testWaitMs } from "../connection-tests/request-connection-test.ts";
import { countCheck, failuresInWindow, nextStatus, type StatusRules } from "./apply-probe-result.ts";

const rules = (over: Partial<StatusRules> = {}): StatusRules => ({
  failureThreshold: 3,
  recoveryThreshold: 1,
  failureWindow: null,
  ...over,
});

/** Runs a sequence of outcomes ("1" failed, "0" ok) through the counters and the rule, like the consumer does. */
function run(outcomes: string, r: StatusRules, start: "ACTIVE" | "ERROR" = "ACTIVE"): string[] {
  let row = { consecutiveFailures: 0, consecutiveSuccesses: 0, recentResults: "" };
  let status: string = start;
  const seen: string[] = [];
  for (const o of outcomes) {
    const c = countCheck(row, o === "0");
    const next = nextStatus(status as "ACTIVE", c, r);
    row = { ...c, recentResults: next !== status ? "" : c.recentResults };
    status = next;
    seen.push(status === "ERROR" ? "E" : "A");
  }
  return seen;
}

describe("nextStatus", () => {
  it("ACTIVE -> ERROR after failureThreshold consecutive failures", () => {
    expect(run("11", rules()).join("")).toBe("AA");
    expect(run("111", rules()).join("")).toBe("AAE");
    expect(run("110111", rules()).join("")).toBe("AAAAAE");
  });
  it("ERROR -> ACTIVE on one success by default (recoveryThreshold 1)", () => {
    expect(run("0", rules(), "ERROR").join("")).toBe("A");
    expect(run("1", rules(), "ERROR").join("")).toBe("E");
  });
  it("ERROR -> ACTIVE only after recoveryThreshold consecutive successes", () => {
    expect(run("0100", rules({ recoveryThreshold: 2 }), "ERROR").join("")).toBe("EEEA");
    expect(run("01010", rules({ recoveryThreshold: 2 }), "ERROR").join("")).toBe("EEEEE");
  });
  it("failureWindow: ERROR when `failures` of the last `of` checks failed, even if never consecutive", () => {
    const r = rules({ failureThreshold: 10, failureWindow: { failures: 3, of: 5 } });
    expect(run("10101", r).join("")).toBe("AAAAE");
    expect(run("1001001", r).join("")).toBe("AAAAAAA");
  });
  it("the window restarts at a status change, so old failures do not undo a recovery", () => {
    const r = rules({ failureThreshold: 10, recoveryThreshold: 2, failureWindow: { failures: 3, of: 5 } });
    // ERROR at the 5th check, back after two successes, one more failure is 1 of the last 5 since then.
    expect(run("10101001", r).join("")).toBe("AAAAEEAA");
  });
  it("INACTIVE and TESTING never change by probe results", () => {
    const c = countCheck({ consecutiveFailures: 98, consecutiveSuccesses: 0, recentResults: "" }, false);
    expect(nextStatus("INACTIVE", c, rules({ failureThreshold: 1 }))).toBe("INACTIVE");
    expect(nextStatus("TESTING", c, rules({ failureThreshold: 1 }))).toBe("TESTING");
  });
  it("the window history keeps at most 100 outcomes", () => {
    let row = { consecutiveFailures: 0, consecutiveSuccesses: 0, recentResults: "" };
    for (let i = 0; i < 150; i++) row = countCheck(row, i % 2 === 0);
    expect(row.recentResults).toHaveLength(100);
    expect(failuresInWindow(row.recentResults, 10)).toBe(5);
  });
});

describe("testWaitMs", () => {
  it("is timeout x (retries + 1) + 2 s, capped", () => {
    expect(testWaitMs(1000, 2, 30_000)).toBe(5000);
    expect(testWaitMs(30_000, 3, 30_000)).toBe(30_000);
    expect(testWaitMs(100, 0, 1000)).toBe(1000);
  });
});
