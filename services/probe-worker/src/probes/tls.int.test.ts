import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { type HttpPeer, json, makeSpec, selfSignedCert, startHttps, testCtx } from "./testing/peers.ts";

describe("TLS: certificate facts and verification", () => {
  let peer: HttpPeer;
  beforeAll(async () => {
    peer = await startHttps((_req, res) => json(res, 200, { ok: true }), selfSignedCert(3));
  });
  afterAll(async () => {
    await peer.close();
  });

  it("reports subject, issuer, validity and daysRemaining of a certificate expiring in 3 days", async () => {
    const out = await executeProbe(
      makeSpec({ endpoint: `https://localhost:${peer.port}/`, config: { tlsRejectUnauthorized: false } }),
      testCtx(),
    );
    expect(out.success).toBe(true);
    expect(out.tls).not.toBeNull();
    expect(out.tls?.subject).toContain("CN=localhost");
    expect(out.tls?.issuer).toContain("O=HIP Test");
    expect(out.tls?.daysRemaining).toBeGreaterThanOrEqual(2);
    expect(out.tls?.daysRemaining).toBeLessThanOrEqual(3);
    expect(out.tls?.authorized).toBe(false);
    expect(out.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(Date.parse(out.tls?.validTo ?? "")).toBeGreaterThan(Date.now());
    expect(out.timings.tlsMs).toBeGreaterThan(0);
    expect(out.timings.dnsMs).not.toBeNull();
  });

  it("an untrusted certificate fails at stage tls before any request byte is sent, with the facts attached", async () => {
    const before = peer.requests.length;
    const out = await executeProbe(
      makeSpec({
        endpoint: `https://127.0.0.1:${peer.port}/`,
        authType: "TOKEN",
        token: "never-sent",
        retryAttempts: 2,
      }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "CERT_UNTRUSTED", stage: "tls" });
    expect(out.tls?.daysRemaining).toBeLessThanOrEqual(3);
    expect(out.attempts).toBe(1);
    expect(peer.requests.length).toBe(before);
  });

  it("TCP probe with TLS reports the certificate too", async () => {
    const out = await executeProbe(
      makeSpec({
        type: "HL7",
        endpoint: `mllps://127.0.0.1:${peer.port}`,
        config: { tlsRejectUnauthorized: false },
      }),
      testCtx(),
    );
    // The HTTPS peer does not speak MLLP: the handshake succeeds and the HL7 layer fails, keeping the TLS facts.
    expect(out.probe).toBe("hl7-mllp");
    expect(out.tls?.subject).toContain("CN=localhost");
    expect(out.success).toBe(false);
  });
});
