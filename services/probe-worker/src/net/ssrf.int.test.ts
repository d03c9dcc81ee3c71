import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "../probes/index.ts";
import { type HttpPeer, json, makeSpec, startHttp, startTcp, testCtx } from "../probes/testing/peers.ts";
import { openConnection } from "@hip/net-guard";

/**
 * Every refused form yields SSRF_BLOCKED and no packet: the loopback variants point at a listener that
 * records connections, so "no packet sent" is observed, not assumed.
 */
describe("SSRF guard end to end", () => {
  let peer: HttpPeer;
  let tcp: Awaited<ReturnType<typeof startTcp>>;
  beforeAll(async () => {
    peer = await startHttp((_req, res) => json(res, 200, {}));
    tcp = await startTcp();
  });
  afterAll(async () => {
    await peer.close();
    await tcp.close();
  });

  const publicOnly = () => testCtx({ allowedCidrs: [] });
  const everything = () => testCtx({ allowedCidrs: ["0.0.0.0/0", "::/0"] });

  it.each([
    "http://169.254.169.254/latest/meta-data/",
    "http://2852039166/",
    "http://0xA9FEA9FE/",
    "http://0251.0376.0251.0376/",
    "http://169.254.43518/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fd00:ec2::254]/",
    "http://0.0.0.0:80/",
    "http://[fe80::1]/",
  ])("%s is refused even with everything allowlisted", async (endpoint) => {
    const out = await executeProbe(makeSpec({ endpoint, retryAttempts: 3 }), everything());
    expect(out.error?.code).toBe("SSRF_BLOCKED");
    expect(["dns", "connect"]).toContain(out.error?.stage);
    expect(out.attempts).toBe(1);
  });

  it.each([
    "dicom://2852039166:104",
    "dicom://0xA9FEA9FE:104",
    "mllp://0251.0376.0251.0376:2575",
    "mllp://[::ffff:169.254.169.254]:2575",
  ])("non-HTTP scheme %s is normalized and refused too", async (endpoint) => {
    const type = endpoint.startsWith("dicom") ? "IMAGING_SYSTEM" : "HL7";
    const out = await executeProbe(makeSpec({ type, endpoint }), everything());
    expect(out.error?.code).toBe("SSRF_BLOCKED");
  });

  it("10.0.0.1 is refused unless allowlisted", async () => {
    const out = await executeProbe(makeSpec({ endpoint: "http://10.0.0.1/" }), testCtx());
    expect(out.error?.code).toBe("SSRF_BLOCKED");
    expect(out.error?.message).toContain("10.0.0.1");
  });

  it("loopback in any spelling is refused without allowlist, and no connection reaches the listener", async () => {
    const before = { http: peer.connections, tcp: tcp.connections };
    const forms = [
      makeSpec({ endpoint: peer.url }),
      makeSpec({ endpoint: `http://localhost:${peer.port}/` }),
      makeSpec({ endpoint: `http://2130706433:${peer.port}/` }),
      makeSpec({ endpoint: `http://0x7f.1:${peer.port}/` }),
      makeSpec({ endpoint: `http://[::ffff:127.0.0.1]:${peer.port}/` }),
      makeSpec({ type: "HL7", endpoint: `mllp://0x7f000001:${tcp.port}` }),
      makeSpec({ type: "IMAGING_SYSTEM", endpoint: `dicom://127.1:${tcp.port}` }),
      makeSpec({ type: "LAB_SYSTEM", endpoint: `tcp://017700000001:${tcp.port}` }),
      makeSpec({
        type: "WEBHOOK",
        webhookUrl: `http://127.0.0.1:${peer.port}/hook`,
        apiSecret: "s3cr3t-value",
      }),
    ];
    for (const spec of forms) {
      const out = await executeProbe(spec, publicOnly());
      expect(out.error?.code, spec.endpoint ?? spec.webhookUrl ?? "").toBe("SSRF_BLOCKED");
    }
    expect(peer.connections).toBe(before.http);
    expect(peer.requests).toHaveLength(0);
    expect(tcp.connections).toBe(before.tcp);
  });

  it("allowlisting 127.0.0.0/8 lets the odd spellings through to the real listener", async () => {
    const before = tcp.connections;
    const out = await executeProbe(
      makeSpec({ type: "LAB_SYSTEM", endpoint: `tcp://0x7f000001:${tcp.port}` }),
      testCtx(),
    );
    expect(out).toMatchObject({ probe: "tcp", success: true });
    expect(out.diagnostics.remoteAddress).toBe("127.0.0.1");
    expect(tcp.connections).toBe(before + 1);
  });

  it("an OAuth token URL pointing at a blocked address is refused before any credential leaves", async () => {
    const out = await executeProbe(
      makeSpec({
        endpoint: peer.url,
        authType: "OAUTH",
        tokenUrl: "http://169.254.169.254/token",
        clientId: "c",
        clientSecret: "cs-value",
      }),
      testCtx(),
    );
    expect(out.error?.code).toBe("SSRF_BLOCKED");
  });

  it("connects to the address DNS gave once, never asking again (no rebinding)", async () => {
    const answers = [[{ address: "127.0.0.1", family: 4 }], [{ address: "169.254.169.254", family: 4 }]];
    let calls = 0;
    const before = tcp.connections;
    const conn = await openConnection({
      hostname: "rebind.example",
      port: tcp.port,
      tls: null,
      allowedCidrs: ["127.0.0.0/8"],
      signal: new AbortController().signal,
      lookup: async () => answers[calls++] ?? [],
    });
    conn.socket.destroy();
    expect(calls).toBe(1);
    expect(conn.target).toMatchObject({ hostname: "rebind.example", address: "127.0.0.1" });
    expect(tcp.connections).toBe(before + 1);
  });
});
