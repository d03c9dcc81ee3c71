import { createHmac } from "node:crypto";

/**
 * Dev profile only: the HS256 secret used when JWT_SECRET is unset outside production. The one copy in code;
 * deploy/dev.env and docker-compose.yml carry the same value for processes started outside Node.
 */
export const DEV_JWT_SECRET = "hip-dev-only-jwt-secret-not-for-production-use";

export interface Hs256Options {
  /** Adds `exp = iat + ttlSeconds` unless the claims carry their own `exp`. */
  ttlSeconds?: number;
  /** Clock for `iat`, in ms (tests). */
  now?: number;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The one HS256 signer (dev tokens, the probe worker's dev service token, tests, scripts, bench). Production
 * tokens come from the identity provider. Sets `iat` unless given; claims left `undefined` are dropped.
 * Depends on node:crypto only, so scripts outside the workspace packages can import this file.
 */
export function signHs256(claims: Record<string, unknown>, secret: string, opts: Hs256Options = {}): string {
  const iat = Math.floor((opts.now ?? Date.now()) / 1000);
  const payload: Record<string, unknown> = {
    iat,
    ...(opts.ttlSeconds !== undefined ? { exp: iat + opts.ttlSeconds } : {}),
    ...claims,
  };
  for (const key of Object.keys(payload)) if (payload[key] === undefined) delete payload[key];
  const signingInput = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(payload)}`;
  return `${signingInput}.${createHmac("sha256", secret).update(signingInput).digest("base64url")}`;
}
