import { randomBytes, timingSafeEqual } from "node:crypto";
import type { ServerResponse } from "node:http";
import { type HttpOptions, type HttpPeer, json, type RecordedRequest, startHttp } from "./http.ts";

/** How the simulated API authenticates callers: one per integration auth type of the platform. */
export type ApiAuth =
  | { type: "NONE" }
  | { type: "API_KEY"; key: string; header?: string }
  | { type: "BASIC_AUTH"; username: string; password: string }
  | { type: "TOKEN"; token: string }
  | { type: "OAUTH"; clientId: string; clientSecret: string; tokenTtlSeconds?: number };

export interface AuthApiOptions extends HttpOptions {
  auth: ApiAuth;
  /** Shown in the JSON answer, so a user looking at it knows which system this is. */
  name?: string;
  /** Extra latency per answer, uniformly in [min, max] ms (default none): makes latency charts look alive. */
  latencyMs?: [number, number];
}

export interface AuthApiPeer extends HttpPeer {
  /** For OAUTH: the token endpoint (`POST`, client-credentials grant). */
  tokenUrl: string;
  /** Access tokens issued so far (OAUTH). */
  tokensIssued: () => number;
}

export function safeEqual(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function unauthorized(res: ServerResponse, scheme: string, error = "unauthorized"): void {
  res.writeHead(401, { "content-type": "application/json", "www-authenticate": scheme });
  res.end(JSON.stringify({ error }));
}

/**
 * An HTTP API that demands credentials like a real vendor API: any path answers `{"status":"UP"}` when the caller
 * is authenticated, 401 otherwise. With OAUTH it is also its own authorization server: `POST /oauth/token`
 * implements the client-credentials grant (RFC 6749 §4.4; client_secret_basic or client_secret_post) and the
 * API accepts only unexpired tokens it issued.
 */
export async function startAuthApi(opts: AuthApiOptions): Promise<AuthApiPeer> {
  const issued = new Map<string, number>();
  let tokensIssued = 0;
  const auth = opts.auth;

  const tokenEndpoint = (req: RecordedRequest, res: ServerResponse) => {
    if (auth.type !== "OAUTH") return json(res, 404, { error: "not_found" });
    const form = new URLSearchParams(req.body);
    let id = form.get("client_id") ?? undefined;
    let secret = form.get("client_secret") ?? undefined;
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      try {
        // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
        id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " "));
        secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " "));
      } catch {
        return json(res, 400, {
          error: "invalid_request",
          error_description: "bad client credentials encoding",
        });
      }
    }
    if (form.get("grant_type") !== "client_credentials") {
      return json(res, 400, { error: "unsupported_grant_type" });
    }
    if (!safeEqual(id, auth.clientId) || !safeEqual(secret, auth.clientSecret)) {
      return json(res, 401, { error: "invalid_client", error_description: "unknown client or wrong secret" });
    }
    const ttl = auth.tokenTtlSeconds ?? 300;
    const token = randomBytes(24).toString("base64url");
    issued.set(token, Date.now() + ttl * 1000);
    tokensIssued++;
    for (const [t, exp] of issued) if (exp < Date.now()) issued.delete(t);
    res.setHeader("cache-control", "no-store");
    json(res, 200, {
      access_token: token,
      token_type: "Bearer",
      expires_in: ttl,
      scope: form.get("scope") ?? "",
    });
  };

  const authenticated = (req: RecordedRequest): boolean => {
    const header = req.headers.authorization;
    switch (auth.type) {
      case "NONE":
        return true;
      case "API_KEY": {
        const v = req.headers[(auth.header ?? "x-api-key").toLowerCase()];
        return safeEqual(Array.isArray(v) ? v[0] : v, auth.key);
      }
      case "BASIC_AUTH":
        return safeEqual(
          header,
          `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
        );
      case "TOKEN":
        return safeEqual(header, `Bearer ${auth.token}`);
      case "OAUTH": {
        const token = /^Bearer (.+)$/i.exec(header ?? "")?.[1] ?? "";
        const exp = issued.get(token);
        return exp !== undefined && exp > Date.now();
      }
    }
  };

  const scheme = auth.type === "BASIC_AUTH" ? 'Basic realm="simulator"' : 'Bearer realm="simulator"';
  const peer = await startHttp((req, res) => {
    const answer = () => {
      if (req.method === "POST" && req.url.split("?")[0] === "/oauth/token") return tokenEndpoint(req, res);
      if (!authenticated(req))
        return unauthorized(res, scheme, auth.type === "OAUTH" ? "invalid_token" : undefined);
      json(res, 200, { status: "UP", service: opts.name ?? "simulated API", time: new Date().toISOString() });
    };
    const [min, max] = opts.latencyMs ?? [0, 0];
    const delay = min + Math.random() * Math.max(0, max - min);
    if (delay > 0) setTimeout(answer, delay);
    else answer();
  }, opts);
  return Object.assign(peer, { tokenUrl: `${peer.url}/oauth/token`, tokensIssued: () => tokensIssued });
}
