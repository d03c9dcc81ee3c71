import type { IntegrationView } from "@hip/contracts";
import { CreateIntegrationBody, UpdateIntegrationBody } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import {
  AUTH_FIELDS,
  buildCreateBody,
  buildUpdateBody,
  configFieldsFor,
  emptyForm,
  endpointHint,
  formFromView,
  readConfigKey,
  writeConfigKey,
} from "./form-model.ts";

const view: IntegrationView = {
  id: "6f1c1f2e-8a43-4f4a-9d55-0d6c1d7f3c11",
  tenantId: "t1",
  name: "Lab feed",
  type: "LAB_SYSTEM",
  provider: "LabCorp",
  description: null,
  endpoint: "https://lab.example.com/health",
  webhookUrl: null,
  authType: "API_KEY",
  username: null,
  tokenUrl: null,
  clientId: null,
  scope: null,
  apiKey: "****1234",
  apiSecret: null,
  password: null,
  token: null,
  clientSecret: null,
  credentialsSet: { apiKey: true, apiSecret: false, password: false, token: false, clientSecret: false },
  status: "ACTIVE",
  config: { path: "/health" },
  headers: { "X-Tenant": "t1", Authorization: "****abcd" },
  timeout: 5000,
  retryAttempts: 1,
  healthCheck: { enabled: true, intervalSeconds: 60 },
  failureThreshold: 3,
  recoveryThreshold: 1,
  failureWindow: null,
  credentialsExpireAt: null,
  dependsOn: [],
  trafficExpectations: null,
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  lastSyncedAt: null,
  lastError: null,
  version: 4,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("form fields per type and auth type", () => {
  it("shows the credentials each auth type needs", () => {
    expect(AUTH_FIELDS.BASIC_AUTH.required).toEqual(["username", "password"]);
    expect(AUTH_FIELDS.OAUTH.required).toEqual(["tokenUrl", "clientId", "clientSecret"]);
    expect(AUTH_FIELDS.NONE.shown).toEqual([]);
  });

  it("offers protocol settings that fit the type", () => {
    expect(configFieldsFor("HL7").map((f) => f.key)).toContain("sendingFacility");
    expect(configFieldsFor("FHIR").map((f) => f.key)).toContain("fhirVersion");
    expect(configFieldsFor("IMAGING_SYSTEM").map((f) => f.key)).toContain("calledAeTitle");
    expect(configFieldsFor("PAYMENT_GATEWAY").map((f) => f.key)).toContain("expectedStatus");
    expect(endpointHint("HL7").placeholder).toMatch(/^mllp:\/\//);
  });
});

describe("buildCreateBody", () => {
  it("builds a body the API schema accepts, without hidden credentials of another auth type", () => {
    const values = {
      ...emptyForm(),
      name: " HL7 ADT ",
      type: "HL7" as const,
      endpoint: "mllp://127.0.0.1:2575",
      authType: "BASIC_AUTH" as const,
      username: "u",
      password: "p",
      apiKey: "left-over-from-api-key-auth",
      headers: [{ key: "X-Trace", value: "1" }],
      config: '{"hl7Version":"2.5.1"}',
      timeout: "2500",
    };
    const r = buildCreateBody(values);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body).toMatchObject({ name: "HL7 ADT", username: "u", password: "p", timeout: 2500 });
    expect(r.body).not.toHaveProperty("apiKey");
    expect(r.body.headers).toEqual({ "X-Trace": "1" });
    expect(CreateIntegrationBody.safeParse(r.body).success).toBe(true);
  });

  it("reports bad JSON and duplicate headers on their fields", () => {
    const r = buildCreateBody({
      ...emptyForm(),
      name: "x",
      config: "{not json",
      headers: [
        { key: "A", value: "1" },
        { key: "a", value: "2" },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.config).toMatch(/not valid JSON/);
    expect(r.errors.headers).toMatch(/appears twice/);
  });

  it("refuses a JSON array as config", () => {
    const r = buildCreateBody({ ...emptyForm(), name: "x", config: "[1]" });
    expect(r.ok).toBe(false);
  });
});

describe("buildUpdateBody", () => {
  it("sends only what changed; blank secrets keep the stored value; cleared text becomes null", () => {
    const initial = formFromView(view);
    expect(initial.apiKey).toBe("");
    const r = buildUpdateBody({ ...initial, provider: "", timeout: 9000 }, initial);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body).toEqual({ provider: null, timeout: 9000 });
    expect(UpdateIntegrationBody.safeParse(r.body).success).toBe(true);
  });

  it("sends a retyped secret and health check changes", () => {
    const initial = formFromView(view);
    const r = buildUpdateBody({ ...initial, apiKey: "new-key", intervalSeconds: 10 }, initial);
    expect(r.ok && r.body).toEqual({ apiKey: "new-key", healthCheck: { intervalSeconds: 10 } });
  });

  it("refuses to send a masked header value back as if it were the secret", () => {
    const initial = formFromView(view);
    const headers = [...initial.headers, { key: "X-New", value: "v" }];
    const r = buildUpdateBody({ ...initial, headers }, initial);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.headers).toMatch(/Re-enter the secret value of header Authorization/);
  });

  it("sends recoveryThreshold and the failure window; clearing both window inputs sends null", () => {
    const initial = formFromView(view);
    const set = buildUpdateBody(
      { ...initial, recoveryThreshold: "2", windowFailures: 3, windowOf: 5 },
      initial,
    );
    expect(set.ok && set.body).toEqual({ recoveryThreshold: 2, failureWindow: { failures: 3, of: 5 } });
    expect(set.ok && UpdateIntegrationBody.safeParse(set.body).success).toBe(true);
    const withWindow = formFromView({ ...view, failureWindow: { failures: 3, of: 5 } });
    expect(withWindow).toMatchObject({ windowFailures: 3, windowOf: 5 });
    const cleared = buildUpdateBody({ ...withWindow, windowFailures: "", windowOf: "" }, withWindow);
    expect(cleared.ok && cleared.body).toEqual({ failureWindow: null });
    const created = buildCreateBody({ ...emptyForm(), name: "x", windowFailures: 2, windowOf: 4 });
    expect(created.ok && created.body).toMatchObject({
      recoveryThreshold: 1,
      failureWindow: { failures: 2, of: 4 },
    });
  });

  it("sends a credentials expiry as an ISO time, and null when cleared", () => {
    const initial = formFromView(view);
    const set = buildUpdateBody({ ...initial, credentialsExpireAt: "2027-01-31T00:00:00Z" }, initial);
    expect(set.ok && set.body).toEqual({ credentialsExpireAt: "2027-01-31T00:00:00Z" });
    const withIt = formFromView({ ...view, credentialsExpireAt: "2027-01-31T00:00:00.000Z" });
    const cleared = buildUpdateBody({ ...withIt, credentialsExpireAt: "" }, withIt);
    expect(cleared.ok && cleared.body).toEqual({ credentialsExpireAt: null });
  });

  it("detects config edits", () => {
    const initial = formFromView(view);
    const config = writeConfigKey(initial.config, "expectedStatus", 204);
    expect(config).not.toBeNull();
    const r = buildUpdateBody({ ...initial, config: config ?? "" }, initial);
    expect(r.ok && r.body).toEqual({ config: { path: "/health", expectedStatus: 204 } });
  });
});

describe("config key helpers", () => {
  it("reads, writes and removes keys; refuses invalid JSON", () => {
    const t = writeConfigKey("{}", "fhirVersion", "4.0.1") ?? "";
    expect(readConfigKey(t, "fhirVersion")).toBe("4.0.1");
    expect(JSON.parse(writeConfigKey(t, "fhirVersion", "") ?? "null")).toEqual({});
    expect(writeConfigKey("{oops", "a", 1)).toBeNull();
  });

  it("sends dependsOn as a list of ids, only when it changed", () => {
    const v = formFromView({ ...view, dependsOn: [] });
    const a = "3f1d2c9e-0000-4000-8000-000000000001";
    const b = "3f1d2c9e-0000-4000-8000-000000000002";
    const set = buildUpdateBody({ ...v, dependsOn: `${a}, ${b}` }, v);
    expect(set.ok && set.body).toEqual({ dependsOn: [a, b] });
    const withIt = formFromView({ ...view, dependsOn: [a, b] });
    expect(withIt.dependsOn).toBe(`${a}, ${b}`);
    const same = buildUpdateBody({ ...withIt, dependsOn: `${a},${b}` }, withIt);
    expect(same.ok && same.body).toEqual({});
    const cleared = buildUpdateBody({ ...withIt, dependsOn: "" }, withIt);
    expect(cleared.ok && cleared.body).toEqual({ dependsOn: [] });
  });
});
