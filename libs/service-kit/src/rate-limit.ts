import rateLimit, { type RateLimitPluginOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Redis } from "ioredis";
import { authenticate } from "./auth.ts";
import { DomainError } from "./errors.ts";

export interface RateLimitSettings {
  /** Requests per window per key. */
  max: number;
  windowMs: number;
  /** The shared store (all replicas count together); null only in unit tests (in-memory). */
  redis: Redis | null;
  /** Redis key prefix, e.g. `hip:stats-service:rl:`. */
  nameSpace: string;
  /** A custom store used instead of `redis` (config-service: Redis behind a circuit breaker, decision 0824). */
  store?: RateLimitPluginOptions["store"];
}

/** Liveness, readiness and scrapes come from the platform, not from tenants. */
const EXEMPT = new Set(["/health", "/ready", "/health/details", "/metrics"]);

/** Keyed by the verified tenant (service tokens by subject); anything unauthenticated by client ip. */
async function keyOf(req: FastifyRequest): Promise<string> {
  try {
    const auth = await authenticate(req);
    return auth.tenantId ? `tenant:${auth.tenantId}` : `service:${auth.sub}`;
  } catch {
    return `ip:${req.ip}`;
  }
}

/**
 * The platform's request rate limit (config-service, stats-service): one Redis-backed counter per tenant per
 * window, 429 `RATE_LIMITED` with `Retry-After`. It runs as the first onRequest hook of every route, before the
 * route's auth guard, so failed authentication attempts are counted (per client ip; see TRUSTED_PROXIES) too.
 * Service tokens (internal traffic sized by the schedule, not by a tenant) are exempt. A Redis outage lets
 * requests pass unlimited rather than taking the API down.
 */
export async function registerRateLimit(app: FastifyInstance, s: RateLimitSettings): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    max: s.max,
    timeWindow: s.windowMs,
    ...(s.store ? { store: s.store } : s.redis ? { redis: s.redis, nameSpace: s.nameSpace } : {}),
    skipOnError: true,
    allowList: async (req) => {
      try {
        const auth = await authenticate(req);
        return auth.roles.includes("service") && !auth.tenantId;
      } catch {
        return false;
      }
    },
    keyGenerator: keyOf,
    errorResponseBuilder: (_req, ctx) =>
      new DomainError("RATE_LIMITED", `Rate limit exceeded; retry in ${ctx.after}`, {
        headers: { "retry-after": String(Math.max(1, Math.ceil(ctx.ttl / 1000))) },
      }),
  });
  const limit = app.rateLimit();
  app.addHook("onRequest", async (req, reply) => {
    if (EXEMPT.has(req.url.split("?")[0] ?? "")) return;
    await limit.call(app, req, reply);
  });
}
