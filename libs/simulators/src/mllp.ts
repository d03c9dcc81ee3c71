import type { Socket } from "node:net";
import { type ListenOptions, startTcp, type TcpPeer } from "./net.ts";

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

export type AckCode = "AA" | "AE" | "AR" | "CA" | "CE" | "CR";

export interface MllpOptions extends ListenOptions {
  /** The acknowledgment code every message gets (default AA). */
  ackCode?: AckCode;
  /** MSA-3 text and, for error codes, the ERR segment's text (HL7 v2.5 ERR-8). */
  text?: string;
  /** Sending application/facility of the ACK (MSH-3/MSH-4), e.g. the simulated system's name. */
  application?: string;
  facility?: string;
  /** How many received messages `received` keeps (default 200). */
  maxRecorded?: number;
}

export interface MllpPeer extends TcpPeer {
  endpoint: string;
  /** Messages received, de-framed, segments separated by CR (newest `maxRecorded`). */
  received: string[];
  /** Messages answered so far. */
  hits: () => number;
}

/** Frames an HL7 v2 message for MLLP: <VT> message <FS><CR>. */
export function frame(message: string): Buffer {
  return Buffer.concat([Buffer.from([VT]), Buffer.from(message, "utf8"), Buffer.from([FS, CR])]);
}

/** An HL7 v2 ACK to `message` (its MSH fields), echoing MSH-10 in MSA-2 as receivers must. */
export function ackFor(
  message: string,
  code: AckCode,
  opts: { text?: string; application?: string; facility?: string } = {},
): string {
  const msh = (message.split("\r")[0] ?? "").split("|");
  const controlId = msh[9] ?? "";
  const version = msh[11] ?? "2.5.1";
  const trigger = (msh[8] ?? "").split("^")[1] ?? "";
  const ts = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const text = opts.text ?? (code === "AA" || code === "CA" ? "Message accepted" : "Message rejected");
  const segments = [
    `MSH|^~\\&|${opts.application ?? "PEER"}|${opts.facility ?? "PEERFAC"}|${msh[2] ?? ""}|${msh[3] ?? ""}|${ts}||ACK^${trigger}^ACK|ACK${controlId}|${msh[10] ?? "P"}|${version}`,
    `MSA|${code}|${controlId}|${text}`,
  ];
  if (code !== "AA" && code !== "CA")
    segments.push(`ERR|||207^Application internal error^HL70357|E||||${text}`);
  return `${segments.join("\r")}\r`;
}

/**
 * An HL7 v2 listener speaking MLLP (a real interface engine's inbound channel, reduced to its acknowledgment):
 * it de-frames each message, and answers every one with an ACK carrying `ackCode` and the sender's control id.
 * Several messages per connection and messages split across TCP segments are handled; bytes outside a frame are
 * dropped, as MLLP receivers do.
 */
export async function startMllp(opts: MllpOptions = {}): Promise<MllpPeer> {
  const received: string[] = [];
  const max = opts.maxRecorded ?? 200;
  let hits = 0;
  const onSocket = (s: Socket) => {
    let buf = Buffer.alloc(0);
    s.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const start = buf.indexOf(VT);
        if (start < 0) {
          buf = Buffer.alloc(0);
          return;
        }
        const end = buf.indexOf(FS, start);
        if (end < 0 || end + 1 >= buf.length) return;
        if (buf[end + 1] !== CR) {
          buf = buf.subarray(end + 1);
          continue;
        }
        const message = buf.subarray(start + 1, end).toString("utf8");
        buf = buf.subarray(end + 2);
        received.push(message);
        if (received.length > max) received.shift();
        hits++;
        s.write(frame(ackFor(message, opts.ackCode ?? "AA", opts)));
      }
    });
  };
  const peer = await startTcp(onSocket, opts);
  return {
    ...peer,
    get connections() {
      return peer.connections;
    },
    endpoint: `mllp://127.0.0.1:${peer.port}`,
    received,
    hits: () => hits,
  };
}
