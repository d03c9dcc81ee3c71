import { describe, expect, it } from "vitest";
import { joinUrl } from "./config.ts";
import { executeProbe } from "./index.ts";
import { makeSpec, testCtx } from "./testing/peers.ts";

describe("probe config", () => {
  it("a malformed known config key fails with CONFIG_INVALID naming it, without trying", async () => {
    const out = await executeProbe(
      makeSpec({ endpoint: "http://127.0.0.1:1/", retryAttempts: 3, config: { expectedStatus: "200" } }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "CONFIG_INVALID", stage: "application" });
    expect(out.error?.message).toContain("config.expectedStatus");
    expect(out.attempts).toBe(1);
  });

  it("joinUrl appends the path to the endpoint's path and keeps a query", () => {
    expect(joinUrl("https://h/v1", "/health")).toBe("https://h/v1/health");
    expect(joinUrl("https://h/v1/", "status?deep=1")).toBe("https://h/v1/status?deep=1");
    expect(joinUrl("https://h", undefined)).toBe("https://h");
  });
});
