import { ErrorEnvelope } from "@hip/contracts";
import { DomainError, tenantOf } from "@hip/service-kit";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Actor } from "../domain/context.ts";

/** Documented error responses (the envelope is the same for every status). */
export const errors = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  429: ErrorEnvelope,
} as const;

export const writeErrors = { ...errors, 409: ErrorEnvelope, 412: ErrorEnvelope, 413: ErrorEnvelope } as const;

export function actorOf(req: FastifyRequest): Actor {
  const auth = tenantOf(req);
  return {
    tenantId: auth.tenantId,
    sub: auth.sub,
    requestId: req.id,
    ip: req.ip,
    traceparent: req.traceparent,
  };
}

/** `If-Match: "3"` (or W/"3", or 3) -> 3; `*` or absent -> undefined (no precondition). */
export function parseIfMatch(req: FastifyRequest): number | undefined {
  const raw = req.headers["if-match"];
  if (raw === undefined || raw.trim() === "*") return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(raw);
  if (!match?.[1]) {
    throw DomainError.validation([
      { field: "headers.if-match", rule: "etag", message: 'If-Match must be an ETag like "3"' },
    ]);
  }
  return Number(match[1]);
}

export function setEtag(reply: FastifyReply, version: number): void {
  reply.header("etag", `"${version}"`);
}

/**
 * Plain JSON for hot read routes: the response is built by a typed mapper (toView), so re-validating every
 * field with zod on each response only costs throughput. The zod schema still documents the route (OpenAPI).
 */
export const plainJson = () => (data: unknown) => JSON.stringify(data);
