import type { Parser } from "../../net/socket-reader.ts";
import { ProbeFailure } from "../types.ts";

/** PS3.8 §9.3: PDU types. */
export const PDU = {
  ASSOCIATE_RQ: 0x01,
  ASSOCIATE_AC: 0x02,
  ASSOCIATE_RJ: 0x03,
  P_DATA_TF: 0x04,
  RELEASE_RQ: 0x05,
  RELEASE_RP: 0x06,
  ABORT: 0x07,
} as const;

export const APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
export const VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1";
export const IMPLICIT_VR_LE = "1.2.840.10008.1.2";
export const EXPLICIT_VR_LE = "1.2.840.10008.1.2.1";
/** A UUID-derived UID (PS3.5 §B.2, root 2.25), so the probe needs no registered org root. */
export const IMPLEMENTATION_CLASS_UID = "2.25.178964398452365473158229117932641985921";
export const IMPLEMENTATION_VERSION = "HIP_PROBE_1";
export const MAX_PDU_RECEIVE = 65_536;

export interface Pdu {
  type: number;
  body: Buffer;
}

/** Reads one PDU: type(1) reserved(1) length(4, big endian) then `length` bytes. */
export function pduParser(maxLength = 1 << 20): Parser<Pdu> {
  return (buf) => {
    if (buf.length < 6) return null;
    const type = buf.readUInt8(0);
    const length = buf.readUInt32BE(2);
    if (type < 1 || type > 7) {
      throw new ProbeFailure(
        "DICOM_PROTOCOL_ERROR",
        "protocol",
        `peer sent an unknown PDU type 0x${type.toString(16)}; is this a DICOM port?`,
      );
    }
    if (length > maxLength) {
      throw new ProbeFailure(
        "DICOM_PROTOCOL_ERROR",
        "protocol",
        `peer sent a PDU of ${length} bytes (limit ${maxLength})`,
      );
    }
    if (buf.length < 6 + length) return null;
    return { value: { type, body: buf.subarray(6, 6 + length) }, consumed: 6 + length };
  };
}

function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([head, body]);
}

const ascii = (s: string) => Buffer.from(s, "ascii");

/** AE titles: up to 16 characters, space padded (PS3.8 §9.3.2). */
export function aeTitle(title: string): Buffer {
  return Buffer.from(title.slice(0, 16).padEnd(16, " "), "ascii");
}

export function associateRq(opts: { callingAe: string; calledAe: string; contextId: number }): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(1, 0); // protocol version
  aeTitle(opts.calledAe).copy(fixed, 4);
  aeTitle(opts.callingAe).copy(fixed, 20);
  const pcHead = Buffer.from([opts.contextId, 0, 0, 0]);
  const presentation = item(
    0x20,
    Buffer.concat([
      pcHead,
      item(0x30, ascii(VERIFICATION_SOP_CLASS)),
      item(0x40, ascii(IMPLICIT_VR_LE)),
      item(0x40, ascii(EXPLICIT_VR_LE)),
    ]),
  );
  const maxLen = Buffer.alloc(4);
  maxLen.writeUInt32BE(MAX_PDU_RECEIVE, 0);
  const userInfo = item(
    0x50,
    Buffer.concat([
      item(0x51, maxLen),
      item(0x52, ascii(IMPLEMENTATION_CLASS_UID)),
      item(0x55, ascii(IMPLEMENTATION_VERSION)),
    ]),
  );
  return pdu(
    PDU.ASSOCIATE_RQ,
    Buffer.concat([fixed, item(0x10, ascii(APPLICATION_CONTEXT)), presentation, userInfo]),
  );
}

export interface AssociateAc {
  calledAe: string;
  contexts: { id: number; result: number; transferSyntax: string | null }[];
  maxPduLength: number | null;
  implementationClassUid: string | null;
  implementationVersionName: string | null;
}

const uid = (b: Buffer) => b.toString("ascii").replace(/[\0 ]+$/, "");

/** Walks the variable items of an A-ASSOCIATE-AC (PS3.8 §9.3.3). */
export function parseAssociateAc(body: Buffer): AssociateAc {
  if (body.length < 68)
    throw new ProbeFailure("DICOM_PROTOCOL_ERROR", "protocol", "A-ASSOCIATE-AC is too short");
  const ac: AssociateAc = {
    calledAe: body.subarray(4, 20).toString("ascii").trim(),
    contexts: [],
    maxPduLength: null,
    implementationClassUid: null,
    implementationVersionName: null,
  };
  const items = (buf: Buffer, visit: (type: number, value: Buffer) => void) => {
    let off = 0;
    while (off + 4 <= buf.length) {
      const type = buf.readUInt8(off);
      const len = buf.readUInt16BE(off + 2);
      if (off + 4 + len > buf.length) {
        throw new ProbeFailure("DICOM_PROTOCOL_ERROR", "protocol", "A-ASSOCIATE-AC item overruns the PDU");
      }
      visit(type, buf.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
  };
  items(body.subarray(68), (type, value) => {
    if (type === 0x21 && value.length >= 4) {
      let ts: string | null = null;
      items(value.subarray(4), (t, v) => {
        if (t === 0x40) ts = uid(v);
      });
      ac.contexts.push({ id: value.readUInt8(0), result: value.readUInt8(2), transferSyntax: ts });
    } else if (type === 0x50) {
      items(value, (t, v) => {
        if (t === 0x51 && v.length >= 4) ac.maxPduLength = v.readUInt32BE(0);
        if (t === 0x52) ac.implementationClassUid = uid(v);
        if (t === 0x55) ac.implementationVersionName = uid(v);
      });
    }
  });
  return ac;
}

export const PC_RESULTS: Record<number, string> = {
  0: "acceptance",
  1: "user-rejection",
  2: "no-reason (provider rejection)",
  3: "abstract-syntax-not-supported (provider rejection)",
  4: "transfer-syntaxes-not-supported (provider rejection)",
};

/** A-ASSOCIATE-RJ result/source/reason decoded per PS3.8 Table 9-21. */
export function decodeReject(body: Buffer): {
  result: string;
  source: string;
  reason: string;
  transient: boolean;
} {
  const result = body.readUInt8(1);
  const source = body.readUInt8(2);
  const reason = body.readUInt8(3);
  const sources: Record<number, string> = {
    1: "service-user",
    2: "service-provider (ACSE)",
    3: "service-provider (presentation)",
  };
  const reasons: Record<number, Record<number, string>> = {
    1: {
      1: "no-reason-given",
      2: "application-context-name-not-supported",
      3: "calling-AE-title-not-recognized",
      7: "called-AE-title-not-recognized",
    },
    2: { 1: "no-reason-given", 2: "protocol-version-not-supported" },
    3: { 0: "reserved", 1: "temporary-congestion", 2: "local-limit-exceeded" },
  };
  return {
    result: result === 1 ? "rejected-permanent" : result === 2 ? "rejected-transient" : `unknown (${result})`,
    source: sources[source] ?? `unknown (${source})`,
    reason: reasons[source]?.[reason] ?? `unknown (${reason})`,
    transient: result === 2,
  };
}

/** A-ABORT source/reason (PS3.8 Table 9-26). */
export function decodeAbort(body: Buffer): { source: string; reason: string } {
  const source = body.readUInt8(2);
  const reason = body.readUInt8(3);
  const reasons: Record<number, string> = {
    0: "reason-not-specified",
    1: "unrecognized-PDU",
    2: "unexpected-PDU",
    4: "unrecognized-PDU-parameter",
    5: "unexpected-PDU-parameter",
    6: "invalid-PDU-parameter-value",
  };
  return {
    source: source === 0 ? "service-user" : source === 2 ? "service-provider" : `unknown (${source})`,
    reason: source === 2 ? (reasons[reason] ?? `unknown (${reason})`) : "not-specified",
  };
}

/** One P-DATA-TF carrying one PDV: item length(4), context id(1), control header(1), fragment. */
export function pDataTf(contextId: number, command: boolean, last: boolean, fragment: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(fragment.length + 2, 0);
  head.writeUInt8(contextId, 4);
  head.writeUInt8((command ? 1 : 0) | (last ? 2 : 0), 5);
  return pdu(PDU.P_DATA_TF, Buffer.concat([head, fragment]));
}

export interface Pdv {
  contextId: number;
  command: boolean;
  last: boolean;
  data: Buffer;
}

export function parsePData(body: Buffer): Pdv[] {
  const out: Pdv[] = [];
  let off = 0;
  while (off + 6 <= body.length) {
    const len = body.readUInt32BE(off);
    if (len < 2 || off + 4 + len > body.length) {
      throw new ProbeFailure("DICOM_PROTOCOL_ERROR", "protocol", "P-DATA-TF item length is invalid");
    }
    const header = body.readUInt8(off + 5);
    out.push({
      contextId: body.readUInt8(off + 4),
      command: (header & 1) === 1,
      last: (header & 2) === 2,
      data: body.subarray(off + 6, off + 4 + len),
    });
    off += 4 + len;
  }
  return out;
}

export const releaseRq = (): Buffer => pdu(PDU.RELEASE_RQ, Buffer.alloc(4));
export const abortPdu = (): Buffer => pdu(PDU.ABORT, Buffer.alloc(4));
