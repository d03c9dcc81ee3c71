import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { PROBE_BODY_CAPS } from "./limits.ts";
import { type HttpPeer, makeSpec, startHttp, testCtx } from "./testing/peers.ts";

/** A valid CapabilityStatement padded past the FHIR cap (a 3 MiB description). */
const hugeCapability = JSON.stringify({
  resourceType: "CapabilityStatement",
  status: "active",
  fhirVersion: "4.0.1",
  description: "x".repeat(3 << 20),
  rest: [{ mode: "server", resource: [{ type: "Patient" }] }],
});
/** Valid JSON whose first MiB is also valid JSON: a cut copy would still parse and "match". */
const paddedJson = `{"status":"UP"}${" ".repeat(2 << 20)}`;

describe("probes buffer at most their documented cap", () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttp((req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(req.url === "/fhir/metadata" ? hugeCapability : paddedJson);
    });
  });
  afterAll(async () => {
    await peer.close();
  });

  it("FHIR: a metadata answer over the cap is RESPONSE_TOO_LARGE, not parsed", async () => {
    expect(hugeCapability.length).toBeGreaterThan(PROBE_BODY_CAPS.fhirMetadata);
    const out = await executeProbe(makeSpec({ type: "FHIR", endpoint: `${peer.url}/fhir` }), testCtx());
    expect(out.error).toMatchObject({ code: "RESPONSE_TOO_LARGE", stage: "protocol" });
    expect(out.diagnostics).toMatchObject({ bodyBytes: PROBE_BODY_CAPS.fhirMetadata, bodyTruncated: true });
  });

  it("HTTP: a jsonPath condition on a body cut at the cap is RESPONSE_TOO_LARGE, never success", async () => {
    const out = await executeProbe(
      makeSpec({ endpoint: `${peer.url}/health`, config: { jsonPath: "$.status", jsonEquals: "UP" } }),
      testCtx(),
    );
    expect(out.success).toBe(false);
    expect(out.error).toMatchObject({ code: "RESPONSE_TOO_LARGE", stage: "protocol" });
    expect(out.diagnostics).toMatchObject({ bodyBytes: PROBE_BODY_CAPS.http, bodyTruncated: true });
  });

  it("HTTP: bodyContains absent from the part read is RESPONSE_TOO_LARGE; found there, it holds", async () => {
    const spec = (bodyContains: string) =>
      makeSpec({ endpoint: `${peer.url}/health`, config: { bodyContains } });
    const missing = await executeProbe(spec("DOWN"), testCtx());
    expect(missing.error?.code).toBe("RESPONSE_TOO_LARGE");
    const found = await executeProbe(spec('"UP"'), testCtx());
    expect(found.success).toBe(true);
  });

  it("HTTP without a body condition: success, the cut is reported", async () => {
    const out = await executeProbe(makeSpec({ endpoint: `${peer.url}/health` }), testCtx());
    expect(out.success).toBe(true);
    expect(out.diagnostics).toMatchObject({ bodyBytes: PROBE_BODY_CAPS.http, bodyTruncated: true });
  });
});
