import { VERIFICATION_SOP_CLASS } from "./pdu.ts";

/** DIMSE command elements are always Implicit VR Little Endian (PS3.7 §6.3.1), whatever the transfer syntax. */
function element(element: number, value: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(0x0000, 0);
  head.writeUInt16LE(element, 2);
  head.writeUInt32LE(value.length, 4);
  return Buffer.concat([head, value]);
}

const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};
const ul = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n, 0);
  return b;
};
/** UI values are padded to even length with a NUL. */
const ui = (s: string) => Buffer.from(s.length % 2 === 1 ? `${s}\0` : s, "ascii");

export const C_ECHO_RQ = 0x0030;
export const C_ECHO_RSP = 0x8030;
export const NO_DATASET = 0x0101;

export function cEchoRq(messageId: number): Buffer {
  const rest = Buffer.concat([
    element(0x0002, ui(VERIFICATION_SOP_CLASS)),
    element(0x0100, us(C_ECHO_RQ)),
    element(0x0110, us(messageId)),
    element(0x0800, us(NO_DATASET)),
  ]);
  return Buffer.concat([element(0x0000, ul(rest.length)), rest]);
}

/** Group-0000 command elements by element number (values raw). */
export function parseCommand(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = 0;
  while (off + 8 <= buf.length) {
    const group = buf.readUInt16LE(off);
    const el = buf.readUInt16LE(off + 2);
    const len = buf.readUInt32LE(off + 4);
    if (off + 8 + len > buf.length) break;
    if (group === 0) out.set(el, buf.subarray(off + 8, off + 8 + len));
    off += 8 + len;
  }
  return out;
}

export function readUs(cmd: Map<number, Buffer>, el: number): number | null {
  const v = cmd.get(el);
  return v && v.length >= 2 ? v.readUInt16LE(0) : null;
}

/** PS3.7 Annex C status meanings used in C-ECHO responses. */
export function describeStatus(status: number): string {
  if (status === 0) return "Success";
  if (status === 0x0122) return "SOP Class Not Supported";
  if (status === 0x0210) return "Duplicate Invocation";
  if (status === 0x0211) return "Unrecognized Operation";
  if (status === 0x0212) return "Mistyped Argument";
  if ((status & 0xf000) === 0xa000) return "Failure";
  if ((status & 0xf000) === 0xc000) return "Failure (cannot understand)";
  return "Unknown status";
}
