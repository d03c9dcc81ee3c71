import type { IntegrationView } from "@hip/contracts";
import { signHs256 } from "@hip/service-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, labBody, startService, TEST_JWT_SECRET, type TestService, token } from "./support.ts";

let svc: TestService;
const admin = token("crafted");
let id: string;

beforeAll(async () => {
  svc = await startService();
  const res = await svc.request("POST", `${API}/configs`, { token: admin, body: labBody() });
  expect(res.status).toBe(201);
  id = (res.body as IntegrationView).id;
});
afterAll(async () => {
  await svc?.close();
});

const b64 = (s: string) => Buffer.from(s).toString("base64url");
const DASHES = "-".repeat(36);

/** Status and first field issue: `400 cursor:cursor`. */
async function verdict(...args: Parameters<TestService["request"]>): Promise<string> {
  const res = await svc.request(...args);
  const d = (res.body as { error?: { details?: { field: string; rule: string }[] } }).error?.details?.[0];
  return `${res.status} ${d?.field}:${d?.rule}`;
}

describe("crafted input is a 400 naming the field, never a 500", () => {
  it("list cursor whose id is 36 dashes (the shape check passed, the uuid cast failed)", async () => {
    const iso = new Date().toISOString();
    const list = b64(JSON.stringify(["createdAt", "desc", iso, DASHES]));
    expect(await verdict("GET", `${API}/configs?cursor=${list}`, { token: admin })).toBe("400 cursor:cursor");
    const named = b64(JSON.stringify(["name", "asc", "a\u0000", "00000000-0000-4000-8000-000000000000"]));
    expect(await verdict("GET", `${API}/configs?sort=name&order=asc&cursor=${named}`, { token: admin })).toBe(
      "400 cursor:cursor",
    );
    const tests = b64(`${iso}|${DASHES}`);
    expect(await verdict("GET", `${API}/configs/${id}/tests?cursor=${tests}`, { token: admin })).toBe(
      "400 cursor:cursor",
    );
  });

  it("a NUL character in a text field, a filter, q or a nested config value", async () => {
    const post = (over: Record<string, unknown>) =>
      verdict("POST", `${API}/configs`, { token: admin, body: labBody(over) });
    expect(await post({ name: "lab\u0000" })).toBe("400 name:no_nul");
    expect(await post({ description: "\u0000" })).toBe("400 description:no_nul");
    expect(await post({ config: { path: "/x\u0000" } })).toBe("400 config.path:no_nul");
    expect(
      await verdict("PATCH", `${API}/configs/${id}`, { token: admin, body: { provider: "p\u0000" } }),
    ).toBe("400 provider:no_nul");
    expect(await verdict("GET", `${API}/configs?q=a%00b`, { token: admin })).toBe("400 querystring.q:no_nul");
    expect(await verdict("GET", `${API}/configs?provider=%00`, { token: admin })).toBe(
      "400 querystring.provider:no_nul",
    );
  });

  it("a config object nested 5,000 levels deep", async () => {
    const res = await svc.runtime.app.inject({
      method: "POST",
      url: `${API}/configs`,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: `{"name":"deep","type":"API","endpoint":"https://x.example","config":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details[0]).toMatchObject({ field: "config", rule: "depth" });
  });

  it("a NUL character in the tenantId claim is a 401 naming the claim", async () => {
    const forged = signHs256({ sub: "u", tenantId: "t\u0000", roles: ["admin"] }, TEST_JWT_SECRET, {
      ttlSeconds: 60,
    });
    const res = await svc.request("GET", `${API}/configs`, { token: forged });
    expect(res.status).toBe(401);
    expect(res.raw).toContain("token.tenantId");
  });

  it("no token plus crafted input is still a 401", async () => {
    const res = await svc.request("POST", `${API}/configs`, { body: labBody({ name: "\u0000" }) });
    expect(res.status).toBe(401);
  });

  it("every route authenticates at onRequest: no token plus bad input is 401", async () => {
    // Every route of the service, enumerated: without a token and with bad input each answers 401.
    const { PUBLIC_PATHS, routesNotAuthenticatingFirst } = await import("@hip/service-kit");
    const inventory = svc.runtime.app.routeInventory.filter((r) => !PUBLIC_PATHS.test(r.url));
    expect(inventory.length).toBeGreaterThanOrEqual(10);
    expect(inventory.filter((r) => !r.guarded)).toEqual([]);
    expect(await routesNotAuthenticatingFirst(svc.runtime.app)).toEqual([]);
  });

  it("nothing above was a 500 or logged an error", () => {
    const errors = svc.logs.filter((l) => /"level":"(error|fatal)"/.test(l));
    expect(errors).toEqual([]);
  });
});
