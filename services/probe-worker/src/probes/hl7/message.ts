import { randomBytes } from "node:crypto";
import type { ProbeConfig } from "../config.ts";
import { ProbeFailure } from "../types.ts";

/** HL7 DTM, local-time-free: YYYYMMDDHHMMSS in UTC with +0000. */
export function hl7Timestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+0000`;
}

/** Unique MSH-10 (ST, at most 20 characters). */
export function newControlId(): string {
  return `HIP${Date.now().toString(36).toUpperCase()}${randomBytes(4).toString("hex").toUpperCase()}`.slice(
    0,
    20,
  );
}

/**
 * The test message. Default: an NMD^N02 (application management data) with an NCK system clock segment — a
 * network-management message that creates no clinical data at the receiver. A configured `hl7Message` is
 * used as given, with MSH-7 and MSH-10 replaced so every probe has a fresh control id to match the ACK.
 */
export function buildMessage(cfg: ProbeConfig, controlId: string, now = new Date()): string {
  const ts = hl7Timestamp(now);
  if (cfg.hl7Message) {
    const segs = cfg.hl7Message
      .replace(/\r\n|\n/g, "\r")
      .split("\r")
      .filter((s) => s.length > 0);
    const msh = segs[0];
    if (!msh?.startsWith("MSH") || msh.length < 8) {
      throw new ProbeFailure(
        "HL7_CONFIG_INVALID",
        "application",
        "config.hl7Message must start with an MSH segment",
      );
    }
    const sep = msh.charAt(3);
    const fields = msh.split(sep);
    while (fields.length < 12) fields.push("");
    fields[6] = ts;
    fields[9] = controlId;
    segs[0] = fields.join(sep);
    return `${segs.join("\r")}\r`;
  }
  const msh = [
    "MSH",
    "^~\\&",
    cfg.sendingApplication ?? "HIP",
    cfg.sendingFacility ?? "HIP",
    cfg.receivingApplication ?? "",
    cfg.receivingFacility ?? "",
    ts,
    "",
    "NMD^N02^NMD_N02",
    controlId,
    cfg.processingId ?? "P",
    cfg.hl7Version ?? "2.5.1",
  ].join("|");
  return `${msh}\rNCK|${ts}\r`;
}

export interface ParsedAck {
  ackCode: string;
  ackControlId: string;
  textMessage: string | null;
  errors: string[];
  messageType: string | null;
  version: string | null;
}

/** Resolves HL7 escape sequences in text (\F\ \S\ \T\ \R\ \E\; others dropped). */
function unescapeHl7(
  text: string,
  enc: { comp: string; rep: string; esc: string; sub: string },
  field: string,
): string {
  const e = enc.esc;
  const map: Record<string, string> = { F: field, S: enc.comp, T: enc.sub, R: enc.rep, E: e };
  let out = "";
  let i = 0;
  while (i < text.length) {
    const j = text.indexOf(e, i);
    const k = j === -1 ? -1 : text.indexOf(e, j + 1);
    if (j === -1 || k === -1) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, j) + (map[text.slice(j + 1, k)] ?? "");
    i = k + 1;
  }
  return out;
}

/** Parses the ACK's MSH, MSA and ERR segments. Throws HL7_INVALID_ACK when there is no MSH or MSA. */
export function parseAck(message: string): ParsedAck {
  const segs = message.split(/\r\n|\r|\n/).filter((s) => s.length > 0);
  const msh = segs.find((s) => s.startsWith("MSH"));
  if (!msh || msh.length < 8) {
    throw new ProbeFailure("HL7_INVALID_ACK", "protocol", "response has no MSH segment");
  }
  const field = msh.charAt(3);
  const encChars = msh.slice(4).split(field)[0] ?? "";
  const enc = {
    comp: encChars.charAt(0) || "^",
    rep: encChars.charAt(1) || "~",
    esc: encChars.charAt(2) || "\\",
    sub: encChars.charAt(3) || "&",
  };
  const mshFields = msh.split(field);
  const msa = segs.find((s) => s.startsWith(`MSA${field}`));
  if (!msa) throw new ProbeFailure("HL7_INVALID_ACK", "protocol", "response has no MSA segment (not an ACK)");
  const msaFields = msa.split(field);
  const text = (v: string | undefined) => (v ? unescapeHl7(v, enc, field).trim() : "");
  const errors: string[] = [];
  for (const err of segs.filter((s) => s.startsWith(`ERR${field}`))) {
    const f = err.split(field);
    const comps = (v: string | undefined) => (v ?? "").split(enc.comp);
    // v2.5+: ERR-8 user message, ERR-3 code^text, ERR-4 severity; v2.3/2.4: ERR-1 location^^^code&text.
    const user = text(f[8]);
    const code = comps(f[3]);
    const legacy = comps(f[1])
      .map((c) => c.split(enc.sub).filter(Boolean).join(" "))
      .filter(Boolean)
      .join(" ");
    const parts = [user, text(code[1]) || text(code[0]), user || code[1] ? "" : text(legacy)].filter(Boolean);
    const severity = (f[4] ?? "").split(enc.comp)[0];
    if (parts.length > 0)
      errors.push(`${severity ? `[${severity}] ` : ""}${parts.join(" - ")}`.slice(0, 500));
  }
  return {
    ackCode: (msaFields[1] ?? "").trim().toUpperCase(),
    ackControlId: (msaFields[2] ?? "").trim(),
    textMessage: text(msaFields[3]) || null,
    errors: errors.slice(0, 10),
    messageType: (mshFields[8] ?? "") || null,
    version: ((mshFields[11] ?? "").split(enc.comp)[0] ?? "") || null,
  };
}
