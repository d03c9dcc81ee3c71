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
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { DomainDeps } from "../domain/context.ts";
import { acknowledgeIncident } from "../domain/incidents/acknowledge-incident.ts";
import { addNote } from "../domain/incidents/add-note.ts";
import { getIncident, listIncidents } from "../domain/incidents/read-incidents.ts";
import { toView } from "../domain/incidents/snapshot.ts";
import { actorOf, BASE, errors, writeErrors } from "./http.ts";

const tags = ["incidents"];

export function incidentRoutes(deps: DomainDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      `${BASE}/incidents`,
      {
        preValidation: tenantReader,
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
      `${BASE}/incidents/:id`,
      {
        preValidation: tenantReader,
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
      `${BASE}/incidents/:id/ack`,
      {
        preValidation: tenantAdmin,
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
      `${BASE}/incidents/:id/notes`,
      {
        preValidation: tenantAdmin,
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
}
