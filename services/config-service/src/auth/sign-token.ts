import { createHmac } from "node:crypto";

export interface TokenClaims {
  sub: string;
  tenantId?: string | undefined;
  roles: string[];
  iss?: string | undefined;
  aud?: string | undefined;
}

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

/** HS256 JWT with node:crypto only (dev tokens and tests; production tokens come from the identity provider). */
export function signHs256(claims: TokenClaims, secret: string, ttlSeconds = 3600, now = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const payload: Record<string, unknown> = { ...claims, iat, exp: iat + ttlSeconds };
  for (const k of Object.keys(payload)) if (payload[k] === undefined) delete payload[k];
  const head = `${b64({ alg: "HS256", typ: "JWT" })}.${b64(payload)}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}
