import type { Parser } from "../../net/socket-reader.ts";
import { ProbeFailure } from "../types.ts";

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** <VT> message <FS><CR> */
export function frame(message: string): Buffer {
  return Buffer.concat([Buffer.from([VT]), Buffer.from(message, "utf8"), Buffer.from([FS, CR])]);
}

/**
 * MLLP frame parser: whitespace before <VT> is tolerated (some engines send a newline keep-alive), anything
 * else is a framing error; the frame ends at <FS><CR> (a bare <FS> at the very end of the stream is accepted).
 */
export const mllpFrame: Parser<string> = (buf) => {
  let start = 0;
  while (start < buf.length && (buf[start] === 0x0a || buf[start] === 0x0d || buf[start] === 0x20)) start++;
  if (start >= buf.length) return null;
  if (buf[start] !== VT) {
    const preview = buf
      .subarray(start, start + 40)
      .toString("latin1")
      .replace(/[^\x20-\x7e]/g, ".");
    throw new ProbeFailure(
      "HL7_FRAMING",
      "protocol",
      `response is not MLLP-framed: expected start block 0x0B, got 0x${(buf[start] ?? 0).toString(16).padStart(2, "0")} ("${preview}")`,
    );
  }
  const end = buf.indexOf(FS, start + 1);
  if (end === -1) return null;
  if (end + 1 >= buf.length) return null;
  if (buf[end + 1] !== CR) {
    throw new ProbeFailure("HL7_FRAMING", "protocol", "MLLP end block 0x1C is not followed by 0x0D");
  }
  return { value: buf.subarray(start + 1, end).toString("utf8"), consumed: end + 2 };
};
