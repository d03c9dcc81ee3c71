import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-HIP-Signature";
export const TIMESTAMP_HEADER = "X-HIP-Timestamp";
export const EVENT_ID_HEADER = "X-HIP-Event-Id";

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>` */
export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.`).update(rawBody).digest("hex");
  return `v1=${mac}`;
}

/**
 * Receiver-side verification (the reference for docs/webhooks.md): constant-time compare of every `v1=`
 * signature in the header, and a timestamp within `toleranceSec` of now to stop replays.
 */
export function verifyWebhook(opts: {
  secret: string;
  rawBody: string | Buffer;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  toleranceSec?: number;
  nowSec?: number;
}): boolean {
  const ts = Number(opts.timestampHeader);
  if (!opts.signatureHeader || !Number.isInteger(ts)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(opts.secret, ts, opts.rawBody));
  return opts.signatureHeader
    .split(",")
    .map((s) => Buffer.from(s.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
