import { createHmac } from "node:crypto";
import { DEV_JWT_SECRET } from "@hip/service-kit";

export interface ServiceTokenOptions {
  /** A ready-made token (CONFIG_SERVICE_TOKEN): used as is, never minted. */
  staticToken?: string | undefined;
  /** HS256 secret to mint with (JWT_SECRET); DEV_JWT_SECRET when unset outside production. */
  secret?: string | undefined;
  nodeEnv: string;
  issuer?: string | undefined;
  audience?: string | undefined;
  ttlSeconds?: number;
  now?: () => number;
}

export type ServiceTokenProvider = () => string;

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

/** Signs an HS256 JWT with node:crypto (no JWT library needed for a fixed header). */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

/**
 * The bearer token for the config service's internal endpoints. Production must supply CONFIG_SERVICE_TOKEN
 * (the worker holds no signing key there); development mints a short-lived service token and re-mints it a
 * minute before it expires, so a long-running worker never sends an expired one.
 */
export function serviceTokenProvider(opts: ServiceTokenOptions): ServiceTokenProvider {
  if (opts.staticToken) {
    const token = opts.staticToken;
    return () => token;
  }
  if (opts.nodeEnv === "production") {
    throw new Error("CONFIG_SERVICE_TOKEN is required when NODE_ENV=production");
  }
  const secret = opts.secret ?? DEV_JWT_SECRET;
  const ttl = opts.ttlSeconds ?? 300;
  const now = opts.now ?? Date.now;
  let cached: { token: string; exp: number } | null = null;
  return () => {
    const nowSec = Math.floor(now() / 1000);
    if (cached && cached.exp - nowSec > Math.min(60, ttl / 2)) return cached.token;
    const exp = nowSec + ttl;
    const claims: Record<string, unknown> = { sub: "probe-worker", roles: ["service"], iat: nowSec, exp };
    if (opts.issuer) claims.iss = opts.issuer;
    if (opts.audience) claims.aud = opts.audience;
    cached = { token: signHs256(claims, secret), exp };
    return cached.token;
  };
}
