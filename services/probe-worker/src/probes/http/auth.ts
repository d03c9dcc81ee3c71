import { type ConnectionSpec, isSecretHeaderName } from "@hip/contracts";
import { guardedHttpRequest, safeUrl } from "@hip/net-guard";
import type { OAuthTokenKey } from "../oauth-token-cache.ts";
import type { ProbeConfig } from "../config.ts";
import type { AttemptEnv } from "../attempt.ts";
import { PROBE_BODY_CAPS } from "../limits.ts";
import { ProbeFailure } from "../types.ts";

export interface AppliedAuth {
  url: string;
  headers: Record<string, string>;
  /** Header names carrying credentials (dropped on cross-origin redirects). */
  sensitive: string[];
  /** Set for OAuth: lets the caller drop a token the resource server refused and fetch a new one. */
  oauth: OAuthTokenKey | null;
  tokenFromCache: boolean;
}

function oauthKey(spec: ConnectionSpec): OAuthTokenKey {
  if (!spec.tokenUrl || !spec.clientId || !spec.clientSecret) {
    throw new ProbeFailure("AUTH_CONFIG_INVALID", "auth", "OAuth needs tokenUrl, clientId and clientSecret");
  }
  return {
    tokenUrl: spec.tokenUrl,
    clientId: spec.clientId,
    clientSecret: spec.clientSecret,
    scope: spec.scope,
  };
}

interface TokenResponse {
  access_token?: unknown;
  expires_in?: unknown;
  token_type?: unknown;
  error?: unknown;
  error_description?: unknown;
}

/** Client-credentials grant (RFC 6749 §4.4) against the SSRF-guarded token endpoint. */
async function fetchToken(key: OAuthTokenKey, cfg: ProbeConfig, env: AttemptEnv) {
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  if (key.scope) form.set("scope", key.scope);
  if (cfg.audience) form.set("audience", cfg.audience);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
    "user-agent": env.userAgent,
  };
  if (cfg.tokenAuthMethod === "client_secret_post") {
    form.set("client_id", key.clientId);
    form.set("client_secret", key.clientSecret);
  } else {
    const enc = (s: string) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${enc(key.clientId)}:${enc(key.clientSecret)}`).toString("base64")}`;
  }
  let res: Awaited<ReturnType<typeof guardedHttpRequest>>;
  try {
    res = await guardedHttpRequest({
      url: key.tokenUrl,
      method: "POST",
      headers,
      body: form.toString(),
      maxRedirects: 0,
      rejectUnauthorized: cfg.tlsRejectUnauthorized ?? true,
      allowedCidrs: env.ctx.allowedCidrs,
      signal: env.signal,
      lookup: env.lookup,
      maxBodyBytes: PROBE_BODY_CAPS.small,
    });
  } catch (err) {
    if (err instanceof ProbeFailure && err.code !== "SSRF_BLOCKED" && err.code !== "TIMEOUT") {
      const f = new ProbeFailure("OAUTH_TOKEN_FAILED", "auth", `token endpoint unreachable: ${err.message}`, {
        retryable: err.retryable,
      });
      f.timings = err.timings;
      throw f;
    }
    throw err;
  }
  let json: TokenResponse = {};
  try {
    json = JSON.parse(res.body.toString("utf8")) as TokenResponse;
  } catch {
    // handled below: no access_token
  }
  if (res.status < 200 || res.status >= 300 || typeof json.access_token !== "string" || !json.access_token) {
    const detail = [json.error, json.error_description].filter((x) => typeof x === "string").join(": ");
    throw new ProbeFailure(
      "OAUTH_TOKEN_FAILED",
      "auth",
      `token endpoint ${safeUrl(new URL(key.tokenUrl))} answered ${res.status}${detail ? ` (${detail.slice(0, 300)})` : ""}` +
        (res.status >= 200 && res.status < 300 ? " without an access_token" : ""),
      { retryable: res.status >= 500 || res.status === 429, diagnostics: { tokenStatus: res.status } },
    );
  }
  const expires = Number(json.expires_in);
  return {
    accessToken: json.access_token,
    expiresInSec: Number.isFinite(expires) && expires > 0 ? expires : null,
  };
}

/** Applies the record's custom headers and its auth type to a request. Auth wins over a same-named custom header. */
export async function applyAuth(
  spec: ConnectionSpec,
  cfg: ProbeConfig,
  url: string,
  env: AttemptEnv,
  opts: { forceRefresh?: boolean } = {},
): Promise<AppliedAuth> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.headers)) headers[k.toLowerCase()] = v;
  const sensitive = Object.keys(headers).filter(isSecretHeaderName);
  let finalUrl = url;
  let oauth: OAuthTokenKey | null = null;
  let tokenFromCache = false;
  switch (spec.authType) {
    case "API_KEY": {
      if (!spec.apiKey)
        throw new ProbeFailure("AUTH_CONFIG_INVALID", "auth", "authType API_KEY needs apiKey");
      if (cfg.apiKeyQueryParam) {
        const u = new URL(url);
        u.searchParams.set(cfg.apiKeyQueryParam, spec.apiKey);
        finalUrl = u.toString();
      } else {
        const name = (cfg.apiKeyHeader ?? "X-API-Key").toLowerCase();
        headers[name] = spec.apiKey;
        sensitive.push(name);
      }
      break;
    }
    case "BASIC_AUTH": {
      if (spec.username === null || spec.password === null) {
        throw new ProbeFailure(
          "AUTH_CONFIG_INVALID",
          "auth",
          "authType BASIC_AUTH needs username and password",
        );
      }
      headers.authorization = `Basic ${Buffer.from(`${spec.username}:${spec.password}`).toString("base64")}`;
      break;
    }
    case "TOKEN": {
      if (!spec.token) throw new ProbeFailure("AUTH_CONFIG_INVALID", "auth", "authType TOKEN needs token");
      headers.authorization = `Bearer ${spec.token}`;
      break;
    }
    case "OAUTH": {
      oauth = oauthKey(spec);
      const key = oauth;
      if (opts.forceRefresh) env.ctx.tokenCache.invalidate(key);
      let fetched = false;
      const token = await env.ctx.tokenCache.get(key, async () => {
        fetched = true;
        return fetchToken(key, cfg, env);
      });
      tokenFromCache = !fetched;
      env.issued?.add(token);
      headers.authorization = `Bearer ${token}`;
      break;
    }
    case "NONE":
      break;
  }
  return { url: finalUrl, headers, sensitive, oauth, tokenFromCache };
}
