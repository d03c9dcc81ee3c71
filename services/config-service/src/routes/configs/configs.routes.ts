import {
  API_BASE_PATH,
  CreateIntegrationBody,
  IntegrationExport,
  IntegrationIdParams,
  IntegrationList,
  IntegrationView,
  ListIntegrationsQuery,
  UpdateIntegrationBody,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { DomainDeps } from "../../domain/context.ts";
import { createIntegration } from "../../domain/integrations/create-integration.ts";
import { deleteIntegration } from "../../domain/integrations/delete-integration.ts";
import { exportIntegrations } from "../../domain/integrations/export-integrations.ts";
import { getIntegration, listIntegrations } from "../../domain/integrations/read-integrations.ts";
import { updateIntegration } from "../../domain/integrations/update-integration.ts";
import { toView } from "../../domain/integrations/view.ts";
import { actorOf, errors, parseIfMatch, plainJson, setEtag, writeErrors } from "../http.ts";

const tags = ["configs"];

/** The integration records (registered under API_BASE_PATH). */
export const configRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.post(
    "/configs",
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Create an integration (admin)",
        body: CreateIntegrationBody,
        response: { 201: IntegrationView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const row = await createIntegration({ deps, actor: actorOf(req), input: req.body });
      setEtag(reply, row.version);
      reply.header("location", `${API_BASE_PATH}/configs/${row.id}`);
      return reply.status(201).send(toView(row));
    },
  );

  app.get(
    "/configs",
    {
      onRequest: tenantReader,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: "List integrations: filters, text search, sort, cursor pagination",
        querystring: ListIntegrationsQuery,
        response: { 200: IntegrationList, ...errors },
      },
    },
    async (req) => {
      const page = await listIntegrations(deps, tenantOf(req).tenantId, req.query);
      return { data: page.rows.map(toView), nextCursor: page.nextCursor };
    },
  );

  // Registered before /configs/:id on purpose (a literal segment, not an id).
  app.get(
    "/configs/export",
    {
      onRequest: tenantAdmin,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: "Export every integration of the tenant, without secrets (admin)",
        response: { 200: IntegrationExport, ...errors },
      },
    },
    async (req, reply) => {
      const body = await exportIntegrations(deps, tenantOf(req).tenantId);
      reply.header("content-disposition", `attachment; filename="integrations-${body.tenantId}.json"`);
      return body;
    },
  );

  app.get(
    "/configs/:id",
    {
      onRequest: tenantReader,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: "Get one integration (secrets masked)",
        params: IntegrationIdParams,
        response: { 200: IntegrationView, ...errors },
      },
    },
    async (req, reply) => {
      const row = await getIntegration(deps, tenantOf(req).tenantId, req.params.id);
      setEtag(reply, row.version);
      return toView(row);
    },
  );

  app.patch(
    "/configs/:id",
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: 'Update an integration (admin). Send If-Match: "<version>" to refuse stale writes (412).',
        params: IntegrationIdParams,
        body: UpdateIntegrationBody,
        response: { 200: IntegrationView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const row = await updateIntegration({
        deps,
        actor: actorOf(req),
        id: req.params.id,
        input: req.body,
        ifMatch: parseIfMatch(req),
      });
      setEtag(reply, row.version);
      return toView(row);
    },
  );

  app.delete(
    "/configs/:id",
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Delete an integration (admin); returns the deleted record",
        params: IntegrationIdParams,
        response: { 200: IntegrationView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await deleteIntegration({
        deps,
        actor: actorOf(req),
        id: req.params.id,
        ifMatch: parseIfMatch(req),
      });
      return toView(row);
    },
  );
};
