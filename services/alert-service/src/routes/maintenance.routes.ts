import {
  AlertIdParams,
  API_BASE_PATH,
  CreateMaintenanceBody,
  MaintenanceList,
  MaintenanceView,
  UpdateMaintenanceBody,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { DomainDeps } from "../domain/context.ts";
import {
  createMaintenance,
  deleteMaintenance,
  getMaintenance,
  listMaintenance,
  updateMaintenance,
} from "../domain/maintenance/windows.ts";
import { actorOf, errors, writeErrors } from "./http.ts";

const tags = ["maintenance"];

/** Registered under /api/integration/alerts. Admins write (audited); viewers read. */
export const maintenanceRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.get(
    `/maintenance`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "List maintenance windows with the current and next occurrences",
        response: { 200: MaintenanceList, ...errors },
      },
    },
    async (req) => ({ data: await listMaintenance(deps.db, tenantOf(req).tenantId, deps.clock()) }),
  );

  app.post(
    `/maintenance`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary:
          "Create a maintenance window (admin): local start + IANA time zone + duration, optional RFC 5545 RRULE",
        body: CreateMaintenanceBody,
        response: { 201: MaintenanceView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const view = await createMaintenance({ deps, actor: actorOf(req), input: req.body });
      reply.header("location", `${API_BASE_PATH}/alerts/maintenance/${view.id}`);
      return reply.status(201).send(view);
    },
  );

  app.get(
    `/maintenance/:id`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "One maintenance window",
        params: AlertIdParams,
        response: { 200: MaintenanceView, ...errors },
      },
    },
    async (req) => getMaintenance(deps.db, tenantOf(req).tenantId, req.params.id, deps.clock()),
  );

  app.patch(
    `/maintenance/:id`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Update a maintenance window (admin); waiting incidents re-check their window's end",
        params: AlertIdParams,
        body: UpdateMaintenanceBody,
        response: { 200: MaintenanceView, ...writeErrors },
      },
    },
    async (req) => updateMaintenance({ deps, actor: actorOf(req), id: req.params.id, input: req.body }),
  );

  app.delete(
    `/maintenance/:id`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Delete a maintenance window (admin)",
        params: AlertIdParams,
        response: { 200: MaintenanceView, ...writeErrors },
      },
    },
    async (req) => deleteMaintenance({ deps, actor: actorOf(req), id: req.params.id }),
  );
};
