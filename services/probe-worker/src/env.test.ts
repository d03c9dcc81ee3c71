import { describe, expect, it } from "vitest";
import { loadEnv } from "./env.ts";

describe("probe-worker env", () => {
  it("has working defaults", () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      PORT: 3004,
      PROBE_CONCURRENCY: 200,
      PROBE_TEST_CONCURRENCY: 20,
      SPEC_CACHE_TTL_MS: 3_600_000,
      RESYNC_INTERVAL_MS: 600_000,
      CONFIG_SERVICE_URL: "http://127.0.0.1:3001",
      PROBE_ALLOWED_CIDRS: [],
      RESYNC_ON_START: true,
    });
  });

  it("parses the CIDR allowlist and names bad variables", () => {
    expect(loadEnv({ PROBE_ALLOWED_CIDRS: "127.0.0.0/8,::1/128" }).PROBE_ALLOWED_CIDRS).toHaveLength(2);
    expect(() => loadEnv({ PROBE_ALLOWED_CIDRS: "not-a-cidr" })).toThrow(/PROBE_ALLOWED_CIDRS/);
    expect(() => loadEnv({ PROBE_CONCURRENCY: "0" })).toThrow(/PROBE_CONCURRENCY/);
    expect(() => loadEnv({ CONFIG_SERVICE_URL: "ftp://x" })).toThrow(/CONFIG_SERVICE_URL/);
  });

  it("requires CONFIG_SERVICE_TOKEN in production", () => {
    const METRICS_TOKEN = "m".repeat(24);
    expect(() => loadEnv({ NODE_ENV: "production", METRICS_TOKEN })).toThrow(/CONFIG_SERVICE_TOKEN/);
    // Every missing one is named at once.
    expect(() => loadEnv({ NODE_ENV: "production" })).toThrow(/METRICS_TOKEN[\s\S]*CONFIG_SERVICE_TOKEN/);
    expect(
      loadEnv({ NODE_ENV: "production", METRICS_TOKEN, CONFIG_SERVICE_TOKEN: "t" }).CONFIG_SERVICE_TOKEN,
    ).toBe("t");
  });
});
