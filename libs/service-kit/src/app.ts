import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "pino";
import { ZodError } from "zod";
import type { FieldIssue } from "@hip/contracts";
import { DomainError, envelope, zodIssues } from "./errors.ts";
import { inputProblem } from "./input-guard.ts";
import { trackRoutes } from "./route-guards.ts";
import { registerRequestTracing } from "./tracing.ts";

/**
 * A dependency check for /ready and /health/details: throws when the dependency is not usable. Whatever it
 * resolves with (an object) is shown on /health/details; a HealthError carries details for the failing case.
 */
export type ReadinessCheck = () => Promise<unknown>;

/** A failed check with the state behind it (consumer group state, backlog...) for /health/details. */
export class HealthError extends Error {
  override name = "HealthError";
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown>) {
    super(message);
    this.details = details;
  }
}

/** The state a passing check shows on /health/details (other resolved values are not shown). */
export class HealthDetails {
  readonly details: Record<string, unknown>;
  constructor(details: Record<string, unknown>) {
    this.details = details;
  }
}

/** What a consumer, publisher or relay reports about itself (see @hip/events, @hip/outbox). */
export interface ComponentHealth {
  ok: boolean;
  reason?: string | null;
}

/** A readiness check from components' health(): fails naming the first unhealthy one; details for each. */
export function healthCheck(
  components: Record<string, () => ComponentHealth | Promise<ComponentHealth>>,
): ReadinessCheck {
  return async () => {
    const details: Record<string, unknown> = {};
    let failed: string | null = null;
    for (const [name, health] of Object.entries(components)) {
      const h = await health();
      details[name] = h;
      if (!h.ok && !failed) failed = `${name}: ${h.reason ?? "not healthy"}`;
    }
    if (failed) throw new HealthError(failed, details);
    return new HealthDetails(details);
  };
}

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  /** Named dependency checks for GET /ready (e.g. postgres, redis, kafka). Each must settle within 2 s. */
  readiness?: Record<string, ReadinessCheck>;
  bodyLimit?: number;
  /**
   * Proxies whose X-Forwarded-For is believed (the parsed TRUSTED_PROXIES). Default: none, `req.ip` is the socket
   * address, so nobody can forge a client ip by sending the header.
   */
  trustedProxies?: readonly string[];
  /** METRICS_TOKEN: when set, `/health/details` (and `/metrics`, see registerMetricsRoute) require it as bearer. */
  metricsToken?: string | undefined;
}

/**
 * An onRequest hook for the operator endpoints: with a token configured, the request must carry
 * `Authorization: Bearer <token>` (compared in constant time); without one, the endpoint is open (dev and test only:
 * production requires METRICS_TOKEN).
 */
export function requireMetricsToken(token: string | undefined) {
  const expected = token ? createHash("sha256").update(token).digest() : null;
  return async (req: FastifyRequest) => {
    if (!expected) return;
    // The scheme is case-insensitive (RFC 6750), as in authenticate().
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (given === undefined) throw new DomainError("UNAUTHORIZED", "Missing bearer token (METRICS_TOKEN)");
    if (!timingSafeEqual(createHash("sha256").update(given).digest(), expected))
      throw new DomainError("UNAUTHORIZED", "Invalid metrics token");
  };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify with the platform's conventions: zod type provider, one error envelope, request ids, /health, /ready. */
export function buildServiceApp(opts: ServiceAppOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 256 * 1024,
    trustProxy: opts.trustedProxies && opts.trustedProxies.length > 0 ? [...opts.trustedProxies] : false,
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers["x-request-id"];
      return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  trackRoutes(app as unknown as FastifyInstance);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  // Crafted input that would fail deep down (NUL in any string, absurd nesting) is a 400 naming the field. At
  // preValidation: after the routes' onRequest auth (no token is still 401) and before the zod schemas run.
  app.addHook("preValidation", async (req) => {
    const issue =
      inputProblem(req.params, "params") ?? inputProblem(req.query, "querystring") ?? inputProblem(req.body);
    if (issue) throw DomainError.validation([issue]);
  });

  app.setNotFoundHandler((req, reply) => {
    reply
      .status(404)
      .send(envelope("NOT_FOUND", `Route ${req.method} ${req.url.split("?")[0]} not found`, 404, req.id));
  });

  app.setErrorHandler((err: FastifyError | DomainError | ZodError, req, reply) => {
    if (err instanceof DomainError) {
      if (err.headers) reply.headers(err.headers);
      if (err.statusCode >= 500) req.log.error({ err }, err.message);
      return reply
        .status(err.statusCode)
        .send(envelope(err.code, err.message, err.statusCode, req.id, err.details));
    }
    if (err instanceof ZodError) {
      const details = zodIssues(err);
      return reply.status(400).send(envelope("VALIDATION", summarize(details), 400, req.id, details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? "body";
      // The type provider flattens each zod issue into {keyword, instancePath, message, params}; rebuild it.
      const issues = err.validation.map((v) => ({
        ...(v.params as Record<string, unknown>),
        code: v.keyword,
        message: v.message ?? "is invalid",
        path: v.instancePath.split("/").filter(Boolean),
      })) as unknown as ZodError["issues"];
      const details = zodIssues(new ZodError(issues), where === "body" ? undefined : String(where));
      return reply.status(400).send(envelope("VALIDATION", summarize(details), 400, req.id, details));
    }
    if (isResponseSerializationError(err)) {
      req.log.error(
        { err: { message: err.message, issues: err.cause.issues } },
        "response did not match its schema",
      );
      return reply.status(500).send(envelope("INTERNAL", "Internal server error", 500, req.id));
    }
    const status = err.statusCode ?? 500;
    switch (err.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return reply
          .status(413)
          .send(envelope("PAYLOAD_TOO_LARGE", "Request body is too large", 413, req.id));
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return reply
          .status(415)
          .send(envelope("UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json", 415, req.id));
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
      case "FST_ERR_CTP_INVALID_JSON_BODY":
        return reply
          .status(400)
          .send(
            envelope("VALIDATION", "Request body is not valid JSON", 400, req.id, [
              { field: "(body)", rule: "json", message: "body must be valid JSON" },
            ]),
          );
    }
    if (err.code?.startsWith("FST_JWT") || status === 401) {
      return reply.status(401).send(envelope("UNAUTHORIZED", "Missing or invalid bearer token", 401, req.id));
    }
    if (status === 429) {
      return reply.status(429).send(envelope("RATE_LIMITED", "Too many requests", 429, req.id));
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send(envelope("VALIDATION", err.message, status, req.id));
    }
    // 5xx: log everything, answer nothing internal.
    req.log.error({ err }, "unhandled error");
    return reply.status(500).send(envelope("INTERNAL", "Internal server error", 500, req.id));
  });

  app.get("/health", { logLevel: "warn" }, async () => ({ status: "ok", service: opts.name }));

  const runChecks = async () => {
    const checks = opts.readiness ?? {};
    const results: Record<string, string> = {};
    const details: Record<string, unknown> = {};
    let ok = true;
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          const value = await withTimeout(check(), 2000, name);
          results[name] = "ok";
          details[name] = value instanceof HealthDetails ? { ok: true, ...value.details } : { ok: true };
        } catch (err) {
          ok = false;
          results[name] = err instanceof Error ? err.message.slice(0, 200) : "failed";
          details[name] = {
            ok: false,
            error: results[name],
            ...(err instanceof HealthError ? err.details : {}),
          };
        }
      }),
    );
    return { ok, results, details };
  };

  app.get("/ready", { logLevel: "warn" }, async (_req, reply) => {
    const { ok, results } = await runChecks();
    return reply
      .status(ok ? 200 : 503)
      .send({ status: ok ? "ready" : "not_ready", service: opts.name, checks: results });
  });

  // The same checks as /ready with the state behind them: each consumer's group state, assigned partitions,
  // last poll and heartbeat; publisher and outbox backlog. 503 when /ready would be.
  app.get(
    "/health/details",
    { logLevel: "warn", onRequest: requireMetricsToken(opts.metricsToken) },
    async (_req, reply) => {
      const { ok, details } = await runChecks();
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? "ready" : "not_ready", service: opts.name, checks: details });
    },
  );

  const built = app as unknown as FastifyInstance;
  registerRequestTracing(built);
  return built;
}

function summarize(details: FieldIssue[]): string {
  return `Invalid input: ${details.map((d) => d.message).join("; ")}`;
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
