import { guardedHttpRequest, type HttpResponse } from "@hip/net-guard";
import type { AttemptEnv } from "../attempt.ts";
import { PROBE_BODY_CAPS } from "../limits.ts";
import { applyAuth } from "./auth.ts";

export interface AuthedRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  maxBodyBytes?: number;
}

/**
 * An HTTP request carrying the record's custom headers and credentials. With OAuth, a 401 on a cached token
 * drops that token and retries once with a fresh one (the token may have been revoked before its expiry).
 */
export async function authedRequest(env: AttemptEnv, req: AuthedRequest): Promise<HttpResponse> {
  const send = async (forceRefresh: boolean) => {
    const auth = await applyAuth(env.spec, env.cfg, req.url, env, { forceRefresh });
    const headers: Record<string, string> = { "user-agent": env.userAgent, ...auth.headers };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const res = await guardedHttpRequest({
      url: auth.url,
      method: req.method,
      headers,
      body: req.body,
      maxRedirects: env.cfg.maxRedirects ?? 5,
      rejectUnauthorized: env.cfg.tlsRejectUnauthorized ?? true,
      allowedCidrs: env.ctx.allowedCidrs,
      signal: env.signal,
      lookup: env.lookup,
      maxBodyBytes: req.maxBodyBytes ?? PROBE_BODY_CAPS.http,
      sensitiveHeaders: auth.sensitive,
    });
    return { res, auth };
  };
  const first = await send(false);
  if (first.res.status === 401 && first.auth.oauth && first.auth.tokenFromCache) {
    return (await send(true)).res;
  }
  return first.res;
}

export function diagnosticsOf(res: HttpResponse): Record<string, unknown> {
  const d: Record<string, unknown> = {
    httpStatus: res.status,
    contentType: res.headers["content-type"] ?? null,
    bodyBytes: res.body.length,
  };
  if (res.truncated) d.bodyTruncated = true;
  if (res.redirects.length > 0) d.redirects = res.redirects;
  if (typeof res.headers.server === "string") d.server = res.headers.server.slice(0, 200);
  return d;
}
