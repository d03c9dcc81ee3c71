import {
  AckIncidentBody,
  AddNoteBody,
  AlertIdParams,
  IncidentDetail,
  IncidentList,
  IncidentView,
  ListIncidentsQuery,
  TimelineEntry,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { DomainDeps } from "../domain/context.ts";
import { acknowledgeIncident } from "../domain/incidents/acknowledge-incident.ts";
import { addNote } from "../domain/incidents/add-note.ts";
import { getIncident, listIncidents } from "../domain/incidents/read-incidents.ts";
import { toView } from "../domain/incidents/snapshot.ts";
import { actorOf, errors, writeErrors } from "./http.ts";

const tags = ["incidents"];

/** Registered under /api/integration/alerts. */
export const incidentRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.get(
    `/incidents`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "List incidents: unresolved first, newest first; filter by state and integration",
        querystring: ListIncidentsQuery,
        response: { 200: IncidentList, ...errors },
      },
    },
    async (req) => listIncidents(deps.db, tenantOf(req).tenantId, req.query),
  );

  app.get(
    `/incidents/:id`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "One incident with its timeline (opened, delivery attempts, ack, notes, resolved)",
        params: AlertIdParams,
        response: { 200: IncidentDetail, ...errors },
      },
    },
    async (req) => getIncident(deps.db, tenantOf(req).tenantId, req.params.id),
  );

  app.post(
    `/incidents/:id/ack`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Acknowledge (admin): stops reminders and escalation; idempotent; 409 when resolved",
        params: AlertIdParams,
        body: AckIncidentBody.nullish(),
        response: { 200: IncidentView, ...writeErrors },
      },
    },
    async (req) => {
      const row = await acknowledgeIncident({
        deps,
        actor: actorOf(req),
        id: req.params.id,
        note: req.body?.note,
      });
      return toView(row);
    },
  );

  app.post(
    `/incidents/:id/notes`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Add a note to the incident's timeline (admin)",
        params: AlertIdParams,
        body: AddNoteBody,
        response: { 201: TimelineEntry, ...writeErrors },
      },
    },
    async (req, reply) => {
      const entry = await addNote({ deps, actor: actorOf(req), id: req.params.id, text: req.body.text });
      return reply.status(201).send(entry);
    },
  );
};
