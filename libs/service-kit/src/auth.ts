import fastifyJwt from "@fastify/jwt";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import buildGetJwks from "get-jwks";
import { JwtClaims, type Role } from "@hip/contracts";
import { devDefault } from "./env.ts";
import { DomainError } from "./errors.ts";
import { DEV_JWT_SECRET } from "./jwt.ts";

export interface AuthConfig {
  /** HS256 shared secret (development). */
  secret?: string | undefined;
  /** RS256 public key, PEM (production). */
  publicKey?: string | undefined;
  /** RS256 keys from a JWKS document URL (production). */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Token lifetime policy; defaults: TOKEN_LIFETIME_DEFAULTS. */
  lifetime?: Partial<TokenLifetimePolicy> | undefined;
}

/**
 * Token lifetime rules, checked for every token after its signature: `exp` is required; `iat`, when present, may
 * be at most `clockSkewSeconds` in the future; the lifetime (`exp - iat`, and `exp - now`) may not exceed
 * `maxTtlSeconds` for user tokens or `serviceMaxTtlSeconds` for service tokens (role `service`, no tenant).
 */
export interface TokenLifetimePolicy {
  maxTtlSeconds: number;
  serviceMaxTtlSeconds: number;
  clockSkewSeconds: number;
}

export const TOKEN_LIFETIME_DEFAULTS: TokenLifetimePolicy = {
  maxTtlSeconds: 86_400,
  serviceMaxTtlSeconds: 30 * 86_400,
  clockSkewSeconds: 60,
};

/** The auth variables of `authEnv`, plus NODE_ENV (which decides whether the dev secret may be used). */
export interface AuthEnv {
  NODE_ENV: string;
  JWT_SECRET?: string | undefined;
  JWT_PUBLIC_KEY?: string | undefined;
  JWT_JWKS_URL?: string | undefined;
  JWT_ISSUER?: string | undefined;
  JWT_AUDIENCE?: string | undefined;
  JWT_MAX_TTL_SECONDS?: number | undefined;
  JWT_SERVICE_MAX_TTL_SECONDS?: number | undefined;
  JWT_CLOCK_SKEW_SECONDS?: number | undefined;
}

/** The HS256 key: JWT_SECRET, else DEV_JWT_SECRET outside production. Production without one is an EnvError. */
export function hs256Secret(env: Pick<AuthEnv, "NODE_ENV" | "JWT_SECRET">): string {
  return devDefault(env.JWT_SECRET, env.NODE_ENV, DEV_JWT_SECRET, "JWT_SECRET");
}

/**
 * The one rule for verifying tokens, used by every service: RS256 when JWT_JWKS_URL or JWT_PUBLIC_KEY is set
 * (production), otherwise HS256 with `hs256Secret(env)` (the dev secret only outside production).
 */
export function resolveAuth(env: AuthEnv): AuthConfig {
  const lifetime: TokenLifetimePolicy = {
    maxTtlSeconds: env.JWT_MAX_TTL_SECONDS ?? TOKEN_LIFETIME_DEFAULTS.maxTtlSeconds,
    serviceMaxTtlSeconds: env.JWT_SERVICE_MAX_TTL_SECONDS ?? TOKEN_LIFETIME_DEFAULTS.serviceMaxTtlSeconds,
    clockSkewSeconds: env.JWT_CLOCK_SKEW_SECONDS ?? TOKEN_LIFETIME_DEFAULTS.clockSkewSeconds,
  };
  const claims = { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, lifetime };
  if (env.JWT_JWKS_URL || env.JWT_PUBLIC_KEY) {
    return { jwksUrl: env.JWT_JWKS_URL, publicKey: env.JWT_PUBLIC_KEY, ...claims };
  }
  return { secret: hs256Secret(env), ...claims };
}

/** Who is calling, after the token was verified and its claims parsed. */
export interface AuthContext {
  sub: string;
  tenantId: string | null;
  roles: Role[];
  /** When the token expires (seconds since the epoch): long-lived answers (SSE) end there. */
  exp: number;
}

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyInstance {
    tokenLifetime: TokenLifetimePolicy;
  }
}

/**
 * Registers @fastify/jwt. Exactly one key source is used: JWKS, then PEM public key (both RS256), then the
 * HS256 secret. `alg: none` and any algorithm other than the configured one are refused by the verifier.
 */
export async function registerAuth(app: FastifyInstance, cfg: AuthConfig): Promise<void> {
  const verify: Record<string, unknown> = {};
  if (cfg.issuer) verify.allowedIss = cfg.issuer;
  if (cfg.audience) verify.allowedAud = cfg.audience;
  if (cfg.jwksUrl) {
    const url = new URL(cfg.jwksUrl);
    const getJwks = buildGetJwks({ jwksPath: url.pathname, providerDiscovery: false, ttl: 600_000 });
    await app.register(fastifyJwt, {
      decode: { complete: true },
      secret: (async (_req: FastifyRequest, token: { header: { kid?: string; alg: string } }) => {
        const { kid, alg } = token.header;
        return getJwks.getPublicKey({ kid, alg, domain: url.origin });
      }) as never,
      verify: { ...verify, algorithms: ["RS256"] },
    });
  } else if (cfg.publicKey) {
    await app.register(fastifyJwt, {
      secret: { public: cfg.publicKey, private: "unused-for-verification-only" },
      verify: { ...verify, algorithms: ["RS256"] },
    });
  } else if (cfg.secret) {
    await app.register(fastifyJwt, { secret: cfg.secret, verify: { ...verify, algorithms: ["HS256"] } });
  } else {
    throw new Error("auth: configure JWT_SECRET, JWT_PUBLIC_KEY or JWT_JWKS_URL");
  }
  app.decorateRequest("auth", null);
  app.decorate("tokenLifetime", { ...TOKEN_LIFETIME_DEFAULTS, ...cfg.lifetime });
}

/** The lifetime rules of TokenLifetimePolicy; a message for the 401, or null when the token passes. */
export function lifetimeProblem(
  claims: { iat?: number | undefined; exp?: number | undefined },
  isService: boolean,
  policy: TokenLifetimePolicy,
  nowSec = Date.now() / 1000,
): string | null {
  const { iat, exp } = claims;
  if (exp === undefined) return "Token has no exp";
  if (iat !== undefined && iat > nowSec + policy.clockSkewSeconds) return "Token is issued in the future";
  const cap = isService ? policy.serviceMaxTtlSeconds : policy.maxTtlSeconds;
  const lifetime = Math.max(exp - nowSec, iat === undefined ? 0 : exp - iat);
  if (lifetime > cap + policy.clockSkewSeconds) return `Token lifetime exceeds ${cap} s`;
  return null;
}

/** Verifies the bearer token and fills `request.auth`. Any failure is a 401 with the standard envelope. */
export async function authenticate(req: FastifyRequest): Promise<AuthContext> {
  if (req.auth) return req.auth;
  const header = req.headers.authorization;
  if (!header || !/^Bearer\s+\S+$/i.test(header)) {
    throw new DomainError("UNAUTHORIZED", "Missing bearer token");
  }
  let payload: unknown;
  try {
    payload = await req.jwtVerify();
  } catch {
    throw new DomainError("UNAUTHORIZED", "Invalid or expired token");
  }
  const parsed = JwtClaims.safeParse(payload);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      field: `token.${i.path.join(".") || "(claims)"}`,
      rule: i.code,
      message: i.message,
    }));
    throw new DomainError("UNAUTHORIZED", "Token claims are invalid", { details });
  }
  const claims = parsed.data;
  const isService = claims.roles.includes("service") && !claims.tenantId;
  if (!claims.roles.includes("service") && !claims.tenantId) {
    throw new DomainError("UNAUTHORIZED", "Token has no tenantId");
  }
  const problem = lifetimeProblem(claims, isService, req.server.tokenLifetime ?? TOKEN_LIFETIME_DEFAULTS);
  if (problem || claims.exp === undefined)
    throw new DomainError("UNAUTHORIZED", problem ?? "Token has no exp");
  req.auth = { sub: claims.sub, tenantId: claims.tenantId ?? null, roles: claims.roles, exp: claims.exp };
  return req.auth;
}

/** A tenant user (admin or viewer). Service tokens are refused here: they never reach tenant routes. */
export interface TenantAuth extends AuthContext {
  tenantId: string;
}

export async function requireTenantUser(
  req: FastifyRequest,
  ...roles: Array<"admin" | "viewer">
): Promise<TenantAuth> {
  const auth = await authenticate(req);
  if (!auth.tenantId || auth.roles.includes("service")) {
    throw new DomainError("FORBIDDEN", "A tenant user token is required");
  }
  const allowed = roles.length === 0 ? ["admin", "viewer"] : roles;
  if (!auth.roles.some((r) => allowed.includes(r))) {
    throw new DomainError("FORBIDDEN", `This action requires role ${allowed.join(" or ")}`);
  }
  return { ...auth, tenantId: auth.tenantId };
}

/** Internal endpoints: a service token only; a tenant token gets a 404, so the route's existence does not leak. */
export async function requireService(req: FastifyRequest): Promise<AuthContext> {
  const auth = await authenticate(req);
  if (!auth.roles.includes("service") || auth.tenantId) throw DomainError.notFound("Route");
  return auth;
}

/**
 * Route guards. Every service installs them at ONE hook, `onRequest` (e.g. `{ onRequest: tenantAdmin }`): it runs
 * before the body is parsed and the query validated, so a caller without a valid token always gets 401, never a
 * 400 that would reveal what the route accepts.
 */
export type AuthHook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

export const tenantReader: AuthHook = async (req) => {
  await requireTenantUser(req, "admin", "viewer");
};
export const tenantAdmin: AuthHook = async (req) => {
  await requireTenantUser(req, "admin");
};
export const serviceOnly: AuthHook = async (req) => {
  await requireService(req);
};

/** The verified tenant of a request that passed tenantReader/tenantAdmin. */
export function tenantOf(req: FastifyRequest): TenantAuth {
  const auth = req.auth;
  if (!auth?.tenantId) throw new DomainError("UNAUTHORIZED", "Not authenticated");
  return { ...auth, tenantId: auth.tenantId };
}
