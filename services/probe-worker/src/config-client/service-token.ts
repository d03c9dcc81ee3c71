import { hs256Secret, signHs256 } from "@hip/service-kit";

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
  const secret = hs256Secret({ NODE_ENV: opts.nodeEnv, JWT_SECRET: opts.secret });
  const ttl = opts.ttlSeconds ?? 300;
  const now = opts.now ?? Date.now;
  let cached: { token: string; exp: number } | null = null;
  return () => {
    const nowSec = Math.floor(now() / 1000);
    if (cached && cached.exp - nowSec > Math.min(60, ttl / 2)) return cached.token;
    const claims = { sub: "probe-worker", roles: ["service"], iss: opts.issuer, aud: opts.audience };
    cached = { token: signHs256(claims, secret, { ttlSeconds: ttl, now: nowSec * 1000 }), exp: nowSec + ttl };
    return cached.token;
  };
}
