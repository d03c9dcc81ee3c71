import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { executeProbe } from "../index.ts";
import { makeSpec, startTcp, testCtx } from "../testing/peers.ts";

type Reply = (msh: string[], raw: string) => Buffer | string | null;

const peers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const framed = (s: string) => Buffer.concat([Buffer.from([0x0b]), Buffer.from(s), Buffer.from([0x1c, 0x0d])]);

/** A real MLLP listener: de-frames what it receives, parses MSH, answers with `reply`. */
async function mllpPeer(reply: Reply) {
  const received: string[] = [];
  const peer = await startTcp((s: Socket) => {
    let buf = Buffer.alloc(0);
    s.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf(0x1c);
      if (buf[0] !== 0x0b || end === -1 || buf[end + 1] !== 0x0d) return;
      const msg = buf.subarray(1, end).toString("utf8");
      buf = buf.subarray(end + 2);
      received.push(msg);
      const msh = (msg.split("\r")[0] ?? "").split("|");
      const out = reply(msh, msg);
      if (out !== null) s.write(out);
    });
  });
  peers.push(peer);
  return { ...peer, received, endpoint: `mllp://127.0.0.1:${peer.port}` };
}

const ack = (code: string, controlId: string, extra = "") =>
  framed(
    `MSH|^~\\&|RCV|FAC|HIP|HIP|20260101000000||ACK^N02^ACK|A1|P|2.5.1\rMSA|${code}|${controlId}${extra}\r`,
  );

describe("HL7 v2 MLLP probe", () => {
  it("AA: success, with ACK facts; the default message is a valid framed NMD^N02 with a unique control id", async () => {
    const peer = await mllpPeer((msh) => ack("AA", msh[9] ?? ""));
    const spec = makeSpec({
      type: "HL7",
      endpoint: peer.endpoint,
      config: { processingId: "T", receivingApplication: "LIS" },
    });
    const a = await executeProbe(spec, testCtx());
    const b = await executeProbe(spec, testCtx());
    expect(a).toMatchObject({ probe: "hl7-mllp", success: true, error: null });
    expect(a.diagnostics).toMatchObject({
      ackCode: "AA",
      ackMessageType: "ACK^N02^ACK",
      ackVersion: "2.5.1",
    });
    expect(a.diagnostics.ackControlId).toBe(a.diagnostics.controlId);
    expect(a.diagnostics.controlId).not.toBe(b.diagnostics.controlId);
    const msh = (peer.received[0]?.split("\r")[0] ?? "").split("|");
    expect(msh[1]).toBe("^~\\&");
    expect(msh[4]).toBe("LIS");
    expect(msh[8]).toBe("NMD^N02^NMD_N02");
    expect(msh[10]).toBe("T");
    expect(msh[11]).toBe("2.5.1");
    expect(peer.received[0]).toMatch(/\rNCK\|\d{14}\+0000\r$/);
    expect(a.timings.firstByteMs).toBeGreaterThanOrEqual(0);
  });

  it("CA (enhanced mode commit accept) is success", async () => {
    const peer = await mllpPeer((msh) => ack("CA", msh[9] ?? ""));
    expect((await executeProbe(makeSpec({ type: "HL7", endpoint: peer.endpoint }), testCtx())).success).toBe(
      true,
    );
  });

  it("AE with ERR: HL7_NACK carrying MSA-3 and the ERR text, not retried", async () => {
    const peer = await mllpPeer((msh) =>
      ack(
        "AE",
        msh[9] ?? "",
        "|Unknown message type\rERR||MSH^1^9|200^Unsupported message type^HL70357|E||||NMD not routed \\T\\ dropped",
      ),
    );
    const ctx = testCtx();
    const out = await executeProbe(makeSpec({ type: "HL7", endpoint: peer.endpoint, retryAttempts: 3 }), ctx);
    expect(out.error).toMatchObject({ code: "HL7_NACK", stage: "application" });
    expect(out.error?.message).toContain("AE");
    expect(out.error?.message).toContain("Unknown message type");
    expect(out.error?.message).toContain("NMD not routed & dropped");
    expect(out.diagnostics).toMatchObject({ ackCode: "AE", ackText: "Unknown message type" });
    expect(out.attempts).toBe(1);
  });

  it("AR is a NACK that is retried (receiver unavailable)", async () => {
    const peer = await mllpPeer((msh) => ack("AR", msh[9] ?? "", "|Receiver busy"));
    const out = await executeProbe(
      makeSpec({ type: "HL7", endpoint: peer.endpoint, retryAttempts: 2 }),
      testCtx(),
    );
    expect(out.error?.code).toBe("HL7_NACK");
    expect(out.attempts).toBe(3);
    expect(peer.received).toHaveLength(3);
  });

  it("garbage framing: HL7_FRAMING with what was received", async () => {
    const peer = await mllpPeer(() => "HTTP/1.1 400 Bad Request\r\n\r\n");
    const out = await executeProbe(makeSpec({ type: "HL7", endpoint: peer.endpoint }), testCtx());
    expect(out.error).toMatchObject({ code: "HL7_FRAMING", stage: "protocol" });
    expect(out.error?.message).toContain("HTTP/1.1 400");
  });

  it("wrong control id: HL7_CONTROL_ID_MISMATCH", async () => {
    const peer = await mllpPeer(() => ack("AA", "SOMEONE-ELSE"));
    const out = await executeProbe(makeSpec({ type: "HL7", endpoint: peer.endpoint }), testCtx());
    expect(out.error).toMatchObject({ code: "HL7_CONTROL_ID_MISMATCH", stage: "protocol" });
    expect(out.error?.message).toContain("SOMEONE-ELSE");
  });

  it("a listener that never answers: TIMEOUT from the configured timeout", async () => {
    const peer = await mllpPeer(() => null);
    const out = await executeProbe(
      makeSpec({ type: "HL7", endpoint: peer.endpoint, timeout: 400 }),
      testCtx(),
    );
    expect(out.error).toMatchObject({
      code: "TIMEOUT",
      stage: "timeout",
      message: "timed out during the read before the ACK was complete",
    });
    expect(peer.received).toHaveLength(1);
  });

  it("a peer closing mid-frame is a clear failure", async () => {
    const peer = await startTcp((s) => {
      s.once("data", () => s.end(Buffer.from([0x0b, 0x4d, 0x53])));
    });
    peers.push(peer);
    const out = await executeProbe(
      makeSpec({ type: "HL7", endpoint: `tcp://127.0.0.1:${peer.port}` }),
      testCtx(),
    );
    expect(out.error?.code).toBe("CONNECTION_CLOSED");
    expect(out.error?.message).toContain("incomplete");
  });

  it("a configured message is sent with a fresh MSH-7 and MSH-10", async () => {
    const peer = await mllpPeer((msh) => ack("AA", msh[9] ?? ""));
    const hl7Message =
      "MSH|^~\\&|APP|FAC|RAPP|RFAC|20200101||ADT^A08|FIXED|P|2.3\nEVN|A08|20200101\nPID|||123";
    const out = await executeProbe(
      makeSpec({ type: "HL7", endpoint: peer.endpoint, config: { hl7Message } }),
      testCtx(),
    );
    expect(out.success).toBe(true);
    const segs = peer.received[0]?.split("\r") ?? [];
    expect(segs[1]).toBe("EVN|A08|20200101");
    expect(segs[0]?.split("|")[9]).toBe(out.diagnostics.controlId);
    expect(segs[0]?.split("|")[8]).toBe("ADT^A08");
  });
});
