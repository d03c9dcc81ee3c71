import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { createTestCa, type TestCa } from "./testing/certs.ts";
import { type HttpPeer, json, makeSpec, startHttps, testCtx } from "./testing/peers.ts";

/**
 * Verified TLS against a private CA made trusted for this test file only (vitest isolates files), so the
 * default verification path is exercised: trusted, expired, wrong host name.
 */
describe("TLS verification with a trusted CA", () => {
  let ca: TestCa;
  let good: HttpPeer;
  let expired: HttpPeer;
  let wrongHost: HttpPeer;
  const original = getCACertificates("default");

  beforeAll(async () => {
    ca = createTestCa();
    setDefaultCACertificates([...original, ca.ca]);
    const handler = (_req: unknown, res: Parameters<typeof json>[0]) => json(res, 200, { ok: true });
    good = await startHttps(handler, ca.leaf("DNS:localhost,IP:127.0.0.1", 3));
    expired = await startHttps(handler, ca.leaf("DNS:localhost,IP:127.0.0.1", 0));
    wrongHost = await startHttps(handler, ca.leaf("DNS:other.example", 3));
    // A zero-day certificate's notAfter is its issue second: wait until it is in the past.
    await new Promise((r) => setTimeout(r, 1_100));
  });

  afterAll(async () => {
    setDefaultCACertificates(original);
    await Promise.all([good.close(), expired.close(), wrongHost.close()]);
    ca.dispose();
  });

  it("a trusted certificate: success, authorized, issuer and days remaining", async () => {
    const out = await executeProbe(makeSpec({ endpoint: `https://localhost:${good.port}/` }), testCtx());
    expect(out.success).toBe(true);
    expect(out.tls).toMatchObject({ authorized: true, issuer: "CN=HIP Test CA", subject: "CN=localhost" });
    expect(out.tls?.daysRemaining).toBeGreaterThanOrEqual(2);
  });

  it("an expired certificate: CERT_EXPIRED at stage tls, not retried, negative days remaining", async () => {
    const out = await executeProbe(
      makeSpec({ endpoint: `https://localhost:${expired.port}/`, retryAttempts: 2 }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "CERT_EXPIRED", stage: "tls" });
    expect(out.tls?.daysRemaining).toBeLessThan(0);
    expect(out.attempts).toBe(1);
    expect(expired.requests).toHaveLength(0);
  });

  it("a certificate for another name: CERT_HOSTNAME_MISMATCH", async () => {
    const out = await executeProbe(makeSpec({ endpoint: `https://localhost:${wrongHost.port}/` }), testCtx());
    expect(out.error).toMatchObject({ code: "CERT_HOSTNAME_MISMATCH", stage: "tls" });
    expect(wrongHost.requests).toHaveLength(0);
  });
});
