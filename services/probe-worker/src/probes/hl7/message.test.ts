import { describe, expect, it } from "vitest";
import { ProbeFailure } from "../types.ts";
import { buildMessage, newControlId, parseAck } from "./message.ts";
import { frame, mllpFrame } from "./mllp.ts";

describe("HL7 message helpers", () => {
  it("control ids are unique and at most 20 characters", () => {
    const ids = new Set(Array.from({ length: 200 }, () => newControlId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(20);
  });

  it("parses v2.3 style ERR-1", () => {
    const a = parseAck(
      "MSH|^~\\&|A|B|C|D|x||ACK|1|P|2.3\rMSA|AR|C1|Rejected\rERR|PID^1^3^^207&Application internal error",
    );
    expect(a).toMatchObject({ ackCode: "AR", ackControlId: "C1", textMessage: "Rejected" });
    expect(a.errors[0]).toContain("Application internal error");
  });

  it("no MSA is HL7_INVALID_ACK", () => {
    expect(() => parseAck("MSH|^~\\&|A|B|C|D|x||ADT^A01|1|P|2.5")).toThrow(ProbeFailure);
  });

  it("refuses a configured message without MSH", () => {
    expect(() => buildMessage({ hl7Message: "PID|1" }, "X")).toThrow(/MSH/);
  });

  it("MLLP de-framing tolerates leading newlines and waits for the end block", () => {
    const f = frame("MSH|x");
    expect(mllpFrame(f.subarray(0, 4))).toBeNull();
    expect(mllpFrame(Buffer.concat([Buffer.from("\r\n"), f]))).toEqual({
      value: "MSH|x",
      consumed: f.length + 2,
    });
    expect(() => mllpFrame(Buffer.from([0x0b, 0x41, 0x1c, 0x41]))).toThrow(/0x0D/);
  });
});
