import { describe, expect, it } from "vitest";
import { cEchoRq, parseCommand, readUs } from "./dimse.ts";
import { associateRq, decodeReject, parsePData, pDataTf, pduParser, VERIFICATION_SOP_CLASS } from "./pdu.ts";

describe("DICOM upper layer encoding", () => {
  it("A-ASSOCIATE-RQ header: type, length, version, space-padded AE titles", () => {
    const rq = associateRq({ callingAe: "HIP", calledAe: "ANY-SCP", contextId: 1 });
    expect(rq[0]).toBe(0x01);
    expect(rq.readUInt32BE(2)).toBe(rq.length - 6);
    expect(rq.readUInt16BE(6)).toBe(1);
    expect(rq.subarray(10, 26).toString("ascii")).toBe("ANY-SCP         ");
    expect(rq.subarray(26, 42).toString("ascii")).toBe("HIP             ");
    expect(rq.includes(Buffer.from(VERIFICATION_SOP_CLASS))).toBe(true);
    expect(pduParser()(rq)?.value.type).toBe(1);
  });

  it("C-ECHO-RQ command round-trips through P-DATA-TF, group length correct", () => {
    const cmd = cEchoRq(7);
    const pdata = pDataTf(1, true, true, cmd);
    const pdu = pduParser()(pdata);
    const pdvs = parsePData(pdu?.value.body ?? Buffer.alloc(0));
    expect(pdvs).toHaveLength(1);
    expect(pdvs[0]).toMatchObject({ contextId: 1, command: true, last: true });
    const parsed = parseCommand(pdvs[0]?.data ?? Buffer.alloc(0));
    expect(readUs(parsed, 0x0100)).toBe(0x0030);
    expect(readUs(parsed, 0x0110)).toBe(7);
    expect(readUs(parsed, 0x0800)).toBe(0x0101);
    expect(parsed.get(0x0000)?.readUInt32LE(0)).toBe(cmd.length - 12);
  });

  it("decodes A-ASSOCIATE-RJ reasons per source", () => {
    expect(decodeReject(Buffer.from([0, 1, 1, 3]))).toMatchObject({
      result: "rejected-permanent",
      source: "service-user",
      reason: "calling-AE-title-not-recognized",
      transient: false,
    });
    expect(decodeReject(Buffer.from([0, 1, 2, 2])).reason).toBe("protocol-version-not-supported");
  });
});
