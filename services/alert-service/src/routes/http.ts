import { ErrorEnvelope } from "@hip/contracts";
import { tenantOf } from "@hip/service-kit";
import type { FastifyRequest } from "fastify";
import type { Actor } from "../domain/context.ts";

/** Documented error responses (the envelope is the same for every status). */
export const errors = {
  400: ErrorEnvelope,
  401: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
} as const;

export const writeErrors = { ...errors, 409: ErrorEnvelope, 413: ErrorEnvelope } as const;

export function actorOf(req: FastifyRequest): Actor {
  const auth = tenantOf(req);
  return { tenantId: auth.tenantId, sub: auth.sub, requestId: req.id, ip: req.ip };
}
