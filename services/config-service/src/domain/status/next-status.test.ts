import { describe, expect, it } from "vitest";
import { testWaitMs } from "../connection-tests/request-connection-test.ts";
import { nextStatus } from "./apply-probe-result.ts";

describe("nextStatus", () => {
  it("fails over to ERROR only at the threshold", () => {
    expect(nextStatus("ACTIVE", false, 2, 3)).toBe("ACTIVE");
    expect(nextStatus("ACTIVE", false, 3, 3)).toBe("ERROR");
    expect(nextStatus("ACTIVE", true, 0, 3)).toBe("ACTIVE");
  });
  it("recovers ERROR on success and leaves INACTIVE/TESTING alone", () => {
    expect(nextStatus("ERROR", true, 0, 3)).toBe("ACTIVE");
    expect(nextStatus("ERROR", false, 9, 3)).toBe("ERROR");
    expect(nextStatus("INACTIVE", false, 99, 1)).toBe("INACTIVE");
    expect(nextStatus("INACTIVE", true, 0, 1)).toBe("INACTIVE");
    expect(nextStatus("TESTING", false, 5, 1)).toBe("TESTING");
  });
});

describe("testWaitMs", () => {
  it("is timeout x (retries + 1) + 2 s, capped", () => {
    expect(testWaitMs(1000, 2, 30_000)).toBe(5000);
    expect(testWaitMs(30_000, 3, 30_000)).toBe(30_000);
    expect(testWaitMs(100, 0, 1000)).toBe(1000);
  });
});
