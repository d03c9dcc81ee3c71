import { AlertIdParams, CreatePolicyBody, PolicyList, PolicyView, UpdatePolicyBody } from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { DomainDeps } from "../domain/context.ts";
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from "../domain/policies/policies.ts";
import { actorOf, BASE, errors, writeErrors } from "./http.ts";

const tags = ["policies"];

export function policyRoutes(deps: DomainDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      `${BASE}/policies`,
      {
        preValidation: tenantReader,
        schema: {
          tags,
          summary: "List policies. A tenant without an enabled matching policy gets no notifications.",
          response: { 200: PolicyList, ...errors },
        },
      },
      async (req) => ({ data: await listPolicies(deps.db, tenantOf(req).tenantId) }),
    );

    app.post(
      `${BASE}/policies`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Create a policy (admin): which integrations, which channels, reminders, escalation",
          body: CreatePolicyBody,
          response: { 201: PolicyView, ...writeErrors },
        },
      },
      async (req, reply) => {
        const view = await createPolicy({ deps, actor: actorOf(req), input: req.body });
        reply.header("location", `${BASE}/policies/${view.id}`);
        return reply.status(201).send(view);
      },
    );

    app.get(
      `${BASE}/policies/:id`,
      {
        preValidation: tenantReader,
        schema: {
          tags,
          summary: "One policy",
          params: AlertIdParams,
          response: { 200: PolicyView, ...errors },
        },
      },
      async (req) => getPolicy(deps.db, tenantOf(req).tenantId, req.params.id),
    );

    app.patch(
      `${BASE}/policies/:id`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Update a policy (admin); applies to incidents opened afterwards",
          params: AlertIdParams,
          body: UpdatePolicyBody,
          response: { 200: PolicyView, ...writeErrors },
        },
      },
      async (req) => updatePolicy({ deps, actor: actorOf(req), id: req.params.id, input: req.body }),
    );

    app.delete(
      `${BASE}/policies/:id`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Delete a policy (admin)",
          params: AlertIdParams,
          response: { 200: PolicyView, ...writeErrors },
        },
      },
      async (req) => deletePolicy({ deps, actor: actorOf(req), id: req.params.id }),
    );
  };
}
