import { createHmac, timingSafeEqual } from "node:crypto";
import { type HttpOptions, type HttpPeer, json, startHttp } from "./http.ts";

/**
 * Verifies a HIP signature exactly as docs/webhooks.md tells integrators to: `X-HIP-Signature` holds one or more
 * `v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`, and the timestamp must be within `toleranceSec`.
 * Written independently of the probe's signer on purpose: a receiver that shares the signer's code proves nothing.
 */
export function verifyHipSignature(opts: {
  secret: string;
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSec?: number;
  now?: number;
}): boolean {
  const ts = Number(opts.timestamp);
  if (!opts.signature || !Number.isInteger(ts)) return false;
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(
    `v1=${createHmac("sha256", opts.secret).update(`${ts}.`).update(opts.rawBody).digest("hex")}`,
  );
  return opts.signature.split(",").some((s) => {
    const given = Buffer.from(s.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface WebhookDelivery {
  receivedAt: string;
  path: string;
  eventId: string | null;
  /** The parsed JSON body (HIP never puts credentials in it). */
  body: unknown;
}

export interface WebhookReceiverOptions extends HttpOptions {
  /** The shared secret deliveries must be signed with. */
  secret: string;
  /** How many verified deliveries `deliveries` keeps (default 100). */
  maxDeliveries?: number;
}

export interface WebhookReceiverPeer extends HttpPeer {
  /** Verified deliveries, oldest first. */
  deliveries: WebhookDelivery[];
  /** Requests refused for a missing or wrong signature. */
  rejected: () => number;
}

/**
 * A webhook receiver that does what a hospital's endpoint should: it accepts only POSTs signed with the shared
 * secret (204), refuses others (401), drops repeated event ids, and shows what it received at `GET /deliveries`.
 */
export async function startWebhookReceiver(opts: WebhookReceiverOptions): Promise<WebhookReceiverPeer> {
  const deliveries: WebhookDelivery[] = [];
  const seen = new Set<string>();
  const max = opts.maxDeliveries ?? 100;
  let rejected = 0;
  const peer = await startHttp((req, res) => {
    const path = req.url.split("?")[0] ?? "/";
    if (req.method === "GET" && path === "/deliveries") return json(res, 200, { deliveries });
    if (req.method !== "POST") return json(res, 405, { error: "POST only" });
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const valid = verifyHipSignature({
      secret: opts.secret,
      rawBody: req.body,
      timestamp: header("x-hip-timestamp"),
      signature: header("x-hip-signature"),
    });
    if (!valid) {
      rejected++;
      return json(res, 401, { error: "bad or missing signature" });
    }
    const eventId = header("x-hip-event-id") ?? header("idempotency-key") ?? null;
    if (eventId !== null && seen.has(eventId)) {
      res.writeHead(204).end();
      return;
    }
    if (eventId !== null) seen.add(eventId);
    let body: unknown = null;
    try {
      body = JSON.parse(req.body);
    } catch {
      body = req.body;
    }
    deliveries.push({ receivedAt: new Date().toISOString(), path, eventId, body });
    if (deliveries.length > max) {
      const dropped = deliveries.shift();
      if (dropped?.eventId) seen.delete(dropped.eventId);
    }
    res.writeHead(204).end();
  }, opts);
  return Object.assign(peer, { deliveries, rejected: () => rejected });
}
