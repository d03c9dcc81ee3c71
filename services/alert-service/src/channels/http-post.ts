import { guardedHttpRequest, ProbeFailure } from "@hip/net-guard";
import { DeliveryFailure, type SendContext, type SendSuccess } from "./model.ts";

/** Status codes worth retrying although they are 4xx (RFC 9110 408, RFC 8470 425, RFC 6585 429). */
const RETRYABLE_4XX = new Set([408, 425, 429]);
/** Network failures that no retry can fix: a refused target or a malformed URL. */
const PERMANENT_NET = new Set(["SSRF_BLOCKED", "INVALID_URL"]);

/** `Retry-After: <seconds>` or `<HTTP-date>` -> milliseconds from now (null when absent or unreadable). */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * POSTs a JSON text to a channel URL through the SSRF guard (resolve once, judge every address, connect to the checked
 * one; no redirects: a receiver must be configured with its final URL). 2xx is success; 408/425/429/5xx and
 * network failures are retryable (Retry-After honoured); any other answer fails fast.
 */
export async function postJson(
  url: string,
  raw: string,
  headers: Record<string, string>,
  ctx: SendContext,
): Promise<SendSuccess> {
  let status: number;
  let retryAfter: string | string[] | undefined;
  let answer: string;
  try {
    const res = await guardedHttpRequest({
      url,
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "HIP-Alerts/1.0", ...headers },
      body: raw,
      maxRedirects: 0,
      rejectUnauthorized: true,
      allowedCidrs: ctx.allowedCidrs,
      signal: AbortSignal.timeout(ctx.timeoutMs),
      maxBodyBytes: 4096,
    });
    status = res.status;
    retryAfter = res.headers["retry-after"];
    answer = res.body.toString("utf8").slice(0, 200);
  } catch (err) {
    if (err instanceof ProbeFailure && err.code === "SSRF_BLOCKED") {
      const address = String(err.diagnostics.blockedAddress ?? "a blocked address");
      throw new DeliveryFailure(
        "SSRF_BLOCKED",
        `refused to contact ${safeUrlOf(url)} (${address}): private, loopback, link-local, metadata or reserved ` +
          "addresses are not allowed for channels (see ALERT_ALLOWED_CIDRS)",
        { retryable: false },
      );
    }
    if (err instanceof ProbeFailure) {
      throw new DeliveryFailure(err.code, err.message, { retryable: !PERMANENT_NET.has(err.code) });
    }
    throw new DeliveryFailure("SEND_FAILED", err instanceof Error ? err.message : String(err), {
      retryable: true,
    });
  }
  if (status >= 200 && status < 300) return { statusCode: status };
  const where = safeUrlOf(url);
  const detail = answer.replace(/\s+/g, " ").trim();
  const message = `${where} answered HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    throw new DeliveryFailure(`HTTP_${status}`, message, {
      retryable: true,
      statusCode: status,
      retryAfterMs: parseRetryAfter(retryAfter),
    });
  }
  throw new DeliveryFailure(`HTTP_${status}`, message, { retryable: false, statusCode: status });
}

/** Error messages name the origin only: a Slack/Teams URL's path is the secret. */
function safeUrlOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return "receiver";
  }
}
