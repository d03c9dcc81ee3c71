import type { IntegrationView } from "@hip/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { API, labBody, startService, type TestService, token } from "./support.ts";

let svc: TestService | undefined;
afterEach(async () => {
  await svc?.close();
  svc = undefined;
});

/** Creates a record with a forged X-Forwarded-For and returns the client ip its audit entry recorded. */
async function auditedIp(s: TestService): Promise<string | null> {
  const admin = token("ip");
  const created = await s.request("POST", `${API}/configs`, {
    token: admin,
    body: labBody(),
    headers: { "x-forwarded-for": "6.6.6.6" },
  });
  expect(created.status).toBe(201);
  const id = (created.body as IntegrationView).id;
  const audit = await s.request("GET", `${API}/configs/${id}/audit`, { token: admin });
  return (audit.body as { data: { clientIp: string | null }[] }).data[0]?.clientIp ?? null;
}

describe("client ip: X-Forwarded-For is believed only from TRUSTED_PROXIES", () => {
  it("by default nobody is trusted: the audit trail records the socket address, not the header", async () => {
    svc = await startService();
    expect(await auditedIp(svc)).toBe("127.0.0.1");
  });

  it("from a configured proxy (e.g. the dashboard's address), the forwarded client is recorded", async () => {
    svc = await startService({ TRUSTED_PROXIES: "127.0.0.1/32" });
    expect(await auditedIp(svc)).toBe("6.6.6.6");
  });

  it("anonymous rate limiting cannot be bypassed by changing the header", async () => {
    svc = await startService({ RATE_LIMIT_MAX: "2" });
    const statuses: number[] = [];
    for (const ip of ["1.1.1.1", "2.2.2.2", "3.3.3.3"]) {
      // Without a token: counted per client ip before the route's guard answers 401.
      const res = await svc.request("GET", `${API}/configs`, { headers: { "x-forwarded-for": ip } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 429]);
    const health = await svc.request("GET", "/health");
    expect(health.status).toBe(200);
  });

  it("an invalid TRUSTED_PROXIES entry fails start-up naming the variable", async () => {
    const { loadEnv } = await import("../src/env.ts");
    expect(() => loadEnv({ TRUSTED_PROXIES: "10.0.0.0/8, not-an-ip" })).toThrow(/TRUSTED_PROXIES/);
    expect(loadEnv({ TRUSTED_PROXIES: "10.0.0.0/8 ::1 loopback" }).TRUSTED_PROXIES).toEqual([
      "10.0.0.0/8",
      "::1",
      "loopback",
    ]);
  });
});
