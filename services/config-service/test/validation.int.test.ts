import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, type ErrorBody, labBody, startService, type TestService, token } from "./support.ts";

let svc: TestService;
const admin = token("tv");

beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
});

/** [case, body overrides, field, rule] — every rule of the issue, each naming its field and rule. */
const cases: Array<[string, Record<string, unknown>, string, string]> = [
  ["empty name", { name: "" }, "name", "min"],
  ["long name", { name: "n".repeat(201) }, "name", "max"],
  ["missing name", { name: undefined }, "name", "required"],
  ["unknown field", { colour: "red" }, "colour", "unknown_field"],
  ["bad type", { type: "FAX" }, "type", "enum"],
  ["bad authType", { authType: "KERBEROS" }, "authType", "enum"],
  ["admin cannot create ERROR", { status: "ERROR" }, "status", "enum"],
  ["endpoint not a URL", { endpoint: "not a url" }, "endpoint", "url"],
  ["http type with mllp", { type: "API", endpoint: "mllp://x.example:2575" }, "endpoint", "url_scheme"],
  ["HL7 with https", { type: "HL7", endpoint: "https://x.example" }, "endpoint", "url_scheme"],
  ["imaging with ftp", { type: "IMAGING_SYSTEM", endpoint: "ftp://x.example" }, "endpoint", "url_scheme"],
  ["mllp without port", { type: "HL7", endpoint: "mllp://x.example" }, "endpoint", "url_port"],
  ["credentials in URL", { endpoint: "https://u:p@x.example" }, "endpoint", "url_credentials"],
  ["webhookUrl scheme", { webhookUrl: "ftp://x.example" }, "webhookUrl", "url_scheme"],
  ["WEBHOOK without url", { type: "WEBHOOK", endpoint: undefined }, "webhookUrl", "required"],
  ["header name not a token", { headers: { "Bad Header": "x" } }, "headers.Bad Header", "invalid_key"],
  ["header value CRLF", { headers: { "X-A": "a\r\nInjected: 1" } }, "headers.X-A", "custom"],
  ["timeout too small", { timeout: 99 }, "timeout", "min"],
  ["timeout too big", { timeout: 120_001 }, "timeout", "max"],
  ["retryAttempts negative", { retryAttempts: -1 }, "retryAttempts", "min"],
  ["retryAttempts too big", { retryAttempts: 11 }, "retryAttempts", "max"],
  ["config too large", { config: { blob: "x".repeat(17_000) } }, "config", "custom"],
  ["config known key typed", { config: { method: "TRACE" } }, "config.method", "enum"],
  [
    "healthCheck interval < 10",
    { healthCheck: { enabled: true, intervalSeconds: 5 } },
    "healthCheck.intervalSeconds",
    "min",
  ],
  ["healthCheck unknown key", { healthCheck: { every: 5 } }, "healthCheck.every", "unknown_field"],
  ["failureThreshold 0", { failureThreshold: 0 }, "failureThreshold", "min"],
  ["recoveryThreshold 0", { recoveryThreshold: 0 }, "recoveryThreshold", "min"],
  [
    "credentialsExpireAt not a date",
    { credentialsExpireAt: "next spring" },
    "credentialsExpireAt",
    "datetime",
  ],
  ["recoveryThreshold 101", { recoveryThreshold: 101 }, "recoveryThreshold", "max"],
  ["recoveryThreshold not int", { recoveryThreshold: 1.5 }, "recoveryThreshold", "invalid_type"],
  [
    "failureWindow failures > of",
    { failureWindow: { failures: 4, of: 3 } },
    "failureWindow.failures",
    "custom",
  ],
  ["failureWindow of 101", { failureWindow: { failures: 1, of: 101 } }, "failureWindow.of", "max"],
  ["failureWindow missing of", { failureWindow: { failures: 1 } }, "failureWindow.of", "required"],
  [
    "failureWindow unknown key",
    { failureWindow: { failures: 1, of: 2, x: 1 } },
    "failureWindow.x",
    "unknown_field",
  ],
  ["API_KEY needs apiKey", { authType: "API_KEY" }, "apiKey", "required"],
  ["BASIC needs username", { authType: "BASIC_AUTH", password: "pw-123456" }, "username", "required"],
  ["BASIC needs password", { authType: "BASIC_AUTH", username: "u" }, "password", "required"],
  ["TOKEN needs token", { authType: "TOKEN" }, "token", "required"],
  ["OAUTH needs tokenUrl", { authType: "OAUTH", clientId: "c", clientSecret: "s" }, "tokenUrl", "required"],
  [
    "OAUTH needs clientId",
    { authType: "OAUTH", tokenUrl: "https://idp.example/token", clientSecret: "s" },
    "clientId",
    "required",
  ],
  [
    "OAUTH needs clientSecret",
    { authType: "OAUTH", tokenUrl: "https://idp.example/token", clientId: "c" },
    "clientSecret",
    "required",
  ],
  [
    "OAUTH tokenUrl scheme",
    { authType: "OAUTH", tokenUrl: "mllp://idp:1", clientId: "c", clientSecret: "s" },
    "tokenUrl",
    "url_scheme",
  ],
];

describe("create validation", () => {
  it.each(cases)("%s -> 400 naming %s / %s", async (_label, patch, field, rule) => {
    const body = labBody(patch);
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete body[k];
    const res = await svc.request("POST", `${API}/configs`, { token: admin, body });
    expect(res.status, res.raw).toBe(400);
    const err = (res.body as ErrorBody).error;
    expect(err.code).toBe("VALIDATION");
    expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
  });

  it("accepts each auth type with its credentials", async () => {
    const ok: Array<Record<string, unknown>> = [
      { authType: "API_KEY", apiKey: "k-12345678" },
      { authType: "BASIC_AUTH", username: "u", password: "p-12345678" },
      { authType: "TOKEN", token: "t-12345678" },
      {
        authType: "OAUTH",
        tokenUrl: "https://idp.example/token",
        clientId: "c",
        clientSecret: "s-12345678",
        scope: "read",
      },
      { authType: "NONE" },
    ];
    for (const patch of ok) {
      const res = await svc.request("POST", `${API}/configs`, { token: admin, body: labBody(patch) });
      expect(res.status, res.raw).toBe(201);
    }
  });

  it("rejects invalid JSON and a non-JSON content type in the envelope", async () => {
    const res = await svc.runtime.app.inject({
      method: "POST",
      url: `${API}/configs`,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe("VALIDATION");
    const text = await svc.runtime.app.inject({
      method: "POST",
      url: `${API}/configs`,
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/xml" },
      payload: "<x/>",
    });
    expect(text.statusCode).toBe(415);
  });
});

describe("update validation (rules hold on the merged record)", () => {
  it("refuses switching to API_KEY without a stored or given apiKey, and a type the endpoint does not fit", async () => {
    const created = await svc.request("POST", `${API}/configs`, { token: admin, body: labBody() });
    const id = (created.body as { id: string }).id;
    const auth = await svc.request("PATCH", `${API}/configs/${id}`, {
      token: admin,
      body: { authType: "API_KEY" },
    });
    expect(auth.status).toBe(400);
    expect((auth.body as ErrorBody).error.details?.[0]).toMatchObject({ field: "apiKey", rule: "required" });
    const type = await svc.request("PATCH", `${API}/configs/${id}`, { token: admin, body: { type: "HL7" } });
    expect(type.status).toBe(400);
    expect((type.body as ErrorBody).error.details?.[0]).toMatchObject({
      field: "endpoint",
      rule: "url_scheme",
    });
    const both = await svc.request("PATCH", `${API}/configs/${id}`, {
      token: admin,
      body: { type: "HL7", endpoint: "mllp://hl7.example:2575" },
    });
    expect(both.status, both.raw).toBe(200);
    const unknown = await svc.request("PATCH", `${API}/configs/${id}`, {
      token: admin,
      body: { version: 9 },
    });
    expect(unknown.status).toBe(400);
    expect((unknown.body as ErrorBody).error.details?.[0]).toMatchObject({
      field: "version",
      rule: "unknown_field",
    });
  });

  it("400s a malformed id", async () => {
    const res = await svc.request("GET", `${API}/configs/not-a-uuid`, { token: admin });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details?.[0]?.field).toBe("params.id");
  });
});
