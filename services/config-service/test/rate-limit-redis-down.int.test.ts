import { PrivateRedis, waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, labBody, startService, type TestService, token } from "./support.ts";

// A redis-server of this file's own on a free port: the test kills it. The shared 6379 is never touched.
describe("rate limiter while Redis is down (own redis-server)", () => {
  let redis: PrivateRedis;
  let svc: TestService;

  beforeAll(async () => {
    redis = await PrivateRedis.create();
    await redis.start();
    svc = await startService({
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: "3",
      RATE_LIMIT_WINDOW_MS: "60000",
      RATE_LIMIT_REDIS_RECHECK_MS: "100",
      LOG_LEVEL: "silent",
    });
  });
  afterAll(async () => {
    await svc?.close();
    await redis?.stop();
  });

  const circuit = async () =>
    (await svc.runtime.app.inject({ method: "GET", url: "/health/details" })).json().checks.rateLimit.redis
      .circuit as string;

  it("fails open at once while Redis is down, and limits again when it is back", async () => {
    const admin = token("rl-down");
    for (let i = 0; i < 3; i++)
      expect((await svc.request("GET", `${API}/configs`, { token: admin })).status).toBe(200);
    expect((await svc.request("GET", `${API}/configs`, { token: admin })).status).toBe(429);
    expect(await circuit()).toBe("closed");

    await redis.stop();
    await waitFor(async () => (await circuit()) === "open", { what: "circuit open after Redis died" });
    // Over its limit, yet every write passes: the limiter does not use Redis while the circuit is open.
    for (let i = 0; i < 5; i++) {
      const res = await svc.request("POST", `${API}/configs`, { token: admin, body: labBody() });
      expect(res.status).toBe(201);
    }
    // Redis is a soft dependency: readiness stays green.
    expect((await svc.runtime.app.inject({ method: "GET", url: "/ready" })).statusCode).toBe(200);

    await redis.start();
    await waitFor(async () => (await circuit()) === "closed", {
      what: "circuit closed by the background re-check",
      timeoutMs: 20_000,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await svc.request("GET", `${API}/configs`, { token: admin })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
