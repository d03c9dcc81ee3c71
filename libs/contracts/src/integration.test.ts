import { describe, expect, it } from "vitest";
import {
  CreateIntegrationBody,
  UpdateIntegrationBody,
  checkIntegrationRules,
  type IntegrationRuleInput,
} from "./integration.ts";

const none = () => false;
const rules = (over: Partial<IntegrationRuleInput>) =>
  checkIntegrationRules({ type: "API", authType: "NONE", has: none, ...over });

describe("CreateIntegrationBody", () => {
  it("applies the documented defaults", () => {
    const body = CreateIntegrationBody.parse({ name: "Lab", type: "LAB_SYSTEM" });
    expect(body).toMatchObject({
      authType: "NONE",
      status: "ACTIVE",
      timeout: 30_000,
      retryAttempts: 3,
      healthCheck: { enabled: true, intervalSeconds: 300 },
      failureThreshold: 3,
    });
  });

  it("rejects unknown fields, naming them", () => {
    const r = CreateIntegrationBody.safeParse({ name: "x", type: "API", colour: "red" });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("colour");
  });

  it.each([
    [{ name: "" }, "name"],
    [{ name: "x".repeat(201) }, "name"],
    [{ type: "SOAP" }, "type"],
    [{ authType: "KERBEROS" }, "authType"],
    [{ timeout: 99 }, "timeout"],
    [{ timeout: 120_001 }, "timeout"],
    [{ retryAttempts: 11 }, "retryAttempts"],
    [{ retryAttempts: -1 }, "retryAttempts"],
    [{ healthCheck: { enabled: true, intervalSeconds: 9 } }, "healthCheck"],
    [{ status: "ERROR" }, "status"],
    [{ status: "TESTING" }, "status"],
    [{ headers: { "Bad Name": "v" } }, "headers"],
    [{ headers: { "X-Ok": "a\r\nInjected: 1" } }, "headers"],
    [{ config: { blob: "x".repeat(17_000) } }, "config"],
  ])("rejects %j on field %s", (patch, field) => {
    const r = CreateIntegrationBody.safeParse({ name: "ok", type: "API", ...patch });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path[0]).toBe(field);
  });

  it("PATCH accepts null to clear optional fields but not required ones", () => {
    expect(UpdateIntegrationBody.safeParse({ apiKey: null, description: null }).success).toBe(true);
    expect(UpdateIntegrationBody.safeParse({ name: null }).success).toBe(false);
  });
});

describe("checkIntegrationRules", () => {
  it("requires the credentials of each auth type", () => {
    expect(rules({ authType: "API_KEY" }).map((i) => i.field)).toEqual(["apiKey"]);
    expect(rules({ authType: "BASIC_AUTH" }).map((i) => i.field)).toEqual(["username", "password"]);
    expect(rules({ authType: "TOKEN" }).map((i) => i.field)).toEqual(["token"]);
    expect(rules({ authType: "OAUTH" }).map((i) => i.field)).toEqual([
      "tokenUrl",
      "clientId",
      "clientSecret",
    ]);
    expect(rules({ authType: "API_KEY", has: (field) => field === "apiKey" })).toEqual([]);
  });

  it("checks endpoint schemes against the type", () => {
    expect(rules({ type: "HL7", endpoint: "mllp://10.0.0.5:2575" })).toEqual([]);
    expect(rules({ type: "HL7", endpoint: "tcp://hl7.example.org:2575" })).toEqual([]);
    expect(rules({ type: "HL7", endpoint: "https://hl7.example.org" })[0]?.rule).toBe("url_scheme");
    expect(rules({ type: "IMAGING_SYSTEM", endpoint: "dicom://pacs.example.org:104" })).toEqual([]);
    expect(rules({ type: "IMAGING_SYSTEM", endpoint: "https://pacs.example.org/dicom-web" })).toEqual([]);
    expect(rules({ type: "FHIR", endpoint: "dicom://pacs:104" })[0]?.rule).toBe("url_scheme");
    expect(rules({ type: "API", endpoint: "not a url" })[0]?.rule).toBe("url");
    expect(rules({ type: "API", endpoint: "https://user:pw@api.example.org" })[0]?.rule).toBe(
      "url_credentials",
    );
    expect(rules({ type: "HL7", endpoint: "mllp://hl7.example.org" })[0]?.rule).toBe("url_port");
  });

  it("requires a target for webhooks", () => {
    expect(rules({ type: "WEBHOOK" })[0]?.field).toBe("webhookUrl");
    expect(rules({ type: "WEBHOOK", webhookUrl: "https://hooks.example.org/x" })).toEqual([]);
  });
});
