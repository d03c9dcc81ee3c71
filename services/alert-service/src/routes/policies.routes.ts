import {
  AlertIdParams,
  API_BASE_PATH,
  CreatePolicyBody,
  PolicyList,
  PolicyView,
  UpdatePolicyBody,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { DomainDeps } from "../domain/context.ts";
import {
  createPolicy,
  deletePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from "../domain/policies/policies.ts";
import { actorOf, errors, writeErrors } from "./http.ts";

const tags = ["policies"];

/** Registered under /api/integration/alerts. */
export const policyRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.get(
    `/policies`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "List policies. A tenant without an enabled matching policy gets no notifications.",
        response: { 200: PolicyList, ...errors },
      },
    },
    async (req) => ({ data: await listPolicies(deps.db, tenantOf(req).tenantId) }),
  );

  app.post(
    `/policies`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Create a policy (admin): which integrations, which channels, reminders, escalation",
        body: CreatePolicyBody,
        response: { 201: PolicyView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const view = await createPolicy({ deps, actor: actorOf(req), input: req.body });
      reply.header("location", `${API_BASE_PATH}/alerts/policies/${view.id}`);
      return reply.status(201).send(view);
    },
  );

  app.get(
    `/policies/:id`,
    {
      onRequest: tenantReader,
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
    `/policies/:id`,
    {
      onRequest: tenantAdmin,
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
    `/policies/:id`,
    {
      onRequest: tenantAdmin,
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
