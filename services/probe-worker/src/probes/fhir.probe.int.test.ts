import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { type HttpPeer, json, makeSpec, startHttp, testCtx } from "./testing/peers.ts";

const capability = (fhirVersion: string) => ({
  resourceType: "CapabilityStatement",
  status: "active",
  kind: "instance",
  fhirVersion,
  format: ["json", "xml"],
  software: { name: "HAPI FHIR Server", version: "7.4.0" },
  rest: [{ mode: "server", resource: [{ type: "Patient" }, { type: "Observation" }, { type: "Encounter" }] }],
});

describe("FHIR probe", () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttp((req, res) => {
      const accept = req.headers.accept ?? "";
      if (req.url === "/r4/metadata" && accept.includes("application/fhir+json")) {
        return json(res, 200, capability("4.0.1"), "application/fhir+json");
      }
      if (req.url === "/r4/.well-known/smart-configuration") {
        return json(res, 200, {
          token_endpoint: "https://auth.example/token",
          capabilities: ["launch-standalone"],
        });
      }
      if (req.url === "/nosmart/metadata")
        return json(res, 200, capability("4.0.1"), "application/fhir+json");
      if (req.url === "/patient/metadata")
        return json(res, 200, { resourceType: "Patient", id: "p1" }, "application/fhir+json");
      if (req.url === "/html/metadata") {
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>login</html>");
      }
      json(res, 404, { resourceType: "OperationOutcome" }, "application/fhir+json");
    });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("a CapabilityStatement: fhirVersion, software, resource count", async () => {
    const out = await executeProbe(
      makeSpec({ type: "FHIR", endpoint: `${peer.url}/r4`, config: { fhirVersion: "R4" } }),
      testCtx(),
    );
    expect(out.probe).toBe("fhir");
    expect(out.success).toBe(true);
    expect(out.diagnostics).toMatchObject({
      fhirVersion: "4.0.1",
      software: { name: "HAPI FHIR Server", version: "7.4.0" },
      resourceCount: 3,
      resourceType: "CapabilityStatement",
    });
    expect(peer.requests.at(-1)?.headers.accept).toBe("application/fhir+json");
  });

  it("configured 4.0.0 matches a 4.0.1 server (same release)", async () => {
    const out = await executeProbe(
      makeSpec({ type: "FHIR", endpoint: `${peer.url}/r4/`, config: { fhirVersion: "4.0.0" } }),
      testCtx(),
    );
    expect(out.success).toBe(true);
  });

  it("version mismatch fails with a clear message", async () => {
    const out = await executeProbe(
      makeSpec({ type: "FHIR", endpoint: `${peer.url}/r4`, config: { fhirVersion: "R5" } }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "FHIR_VERSION_MISMATCH", stage: "protocol" });
    expect(out.error?.message).toBe(
      "server speaks FHIR 4.0.1, but the integration is configured for R5 (5.0.x)",
    );
    expect(out.diagnostics.fhirVersion).toBe("4.0.1");
  });

  it("a different resource is FHIR_NOT_CAPABILITY_STATEMENT", async () => {
    const out = await executeProbe(makeSpec({ type: "FHIR", endpoint: `${peer.url}/patient` }), testCtx());
    expect(out.error).toMatchObject({ code: "FHIR_NOT_CAPABILITY_STATEMENT", stage: "protocol" });
    expect(out.error?.message).toContain("Patient");
  });

  it("a non-JSON answer is a protocol error", async () => {
    const out = await executeProbe(makeSpec({ type: "FHIR", endpoint: `${peer.url}/html` }), testCtx());
    expect(out.error).toMatchObject({ code: "PROTOCOL_ERROR", stage: "protocol" });
  });

  it("SMART discovery when enabled", async () => {
    const out = await executeProbe(
      makeSpec({ type: "FHIR", endpoint: `${peer.url}/r4`, config: { smartDiscovery: true } }),
      testCtx(),
    );
    expect(out.success).toBe(true);
    expect(out.diagnostics.smart).toMatchObject({
      tokenEndpoint: "https://auth.example/token",
      capabilities: ["launch-standalone"],
    });
    const missing = await executeProbe(
      makeSpec({ type: "FHIR", endpoint: `${peer.url}/r4/metadata`, config: { smartDiscovery: true } }),
      testCtx(),
    );
    expect(missing.success).toBe(true);
  });

  it("SMART discovery failing is reported", async () => {
    const out = await executeProbe(
      makeSpec({
        type: "FHIR",
        endpoint: `${peer.url}/nosmart`,
        config: { smartDiscovery: true, fhirVersion: "R4" },
      }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "SMART_DISCOVERY_FAILED", stage: "application" });
    expect(out.error?.message).toContain("404");
  });
});
