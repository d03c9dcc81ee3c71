import {
  ConnectionSpec,
  ConnectionSpecBatch,
  ConnectionSpecBatchRequest,
  ErrorEnvelope,
  IntegrationIdParams,
  ScheduleList,
  ScheduleQuery,
} from "@hip/contracts";
import { serviceOnly } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { DomainDeps } from "../../domain/context.ts";
import { getConnectionSpec, getConnectionSpecs, listSchedules } from "../../domain/internal/read-internal.ts";

/** Probe-worker endpoints (registered under /internal): service token only; a tenant token gets a 404. */
export const internalRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.get(
    "/integrations/schedules",
    {
      onRequest: serviceOnly,
      schema: {
        tags: ["internal"],
        summary: "Health-check schedule settings of every tenant (service token)",
        querystring: ScheduleQuery,
        response: { 200: ScheduleList, 401: ErrorEnvelope, 404: ErrorEnvelope },
      },
    },
    async (req) => listSchedules(deps, req.query),
  );

  app.get(
    "/integrations/:id/connection-spec",
    {
      onRequest: serviceOnly,
      // The response holds decrypted secrets: never log anything about it beyond the status line.
      logLevel: "warn",
      schema: {
        tags: ["internal"],
        summary: "Decrypted connection spec for the probe worker (service token)",
        params: IntegrationIdParams,
        response: { 200: ConnectionSpec, 401: ErrorEnvelope, 404: ErrorEnvelope },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return getConnectionSpec(deps, req.params.id);
    },
  );

  app.post(
    "/integrations/connection-specs",
    {
      onRequest: serviceOnly,
      logLevel: "warn",
      schema: {
        tags: ["internal"],
        summary: "Decrypted connection specs of up to 500 integrations (service token)",
        body: ConnectionSpecBatchRequest,
        response: { 200: ConnectionSpecBatch, 400: ErrorEnvelope, 401: ErrorEnvelope, 404: ErrorEnvelope },
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      return getConnectionSpecs(deps, req.body.ids);
    },
  );
};
