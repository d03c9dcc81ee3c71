import {
  AlertIdParams,
  ChannelList,
  ChannelTestResult,
  ChannelView,
  CreateChannelBody,
  UpdateChannelBody,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { getChannel, listChannels } from "../domain/channels/read-channels.ts";
import { testChannel } from "../domain/channels/test-channel.ts";
import { createChannel, deleteChannel, updateChannel } from "../domain/channels/write-channels.ts";
import type { DomainDeps } from "../domain/context.ts";
import { actorOf, BASE, errors, writeErrors } from "./http.ts";

const tags = ["channels"];

export function channelRoutes(deps: DomainDeps) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();

    app.get(
      `${BASE}/channels`,
      {
        preValidation: tenantReader,
        schema: {
          tags,
          summary: "List channels (secrets masked) with their last delivery and last test",
          response: { 200: ChannelList, ...errors },
        },
      },
      async (req) => ({ data: await listChannels(deps.db, tenantOf(req).tenantId) }),
    );

    app.post(
      `${BASE}/channels`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Create a channel (admin): WEBHOOK, SLACK, TEAMS, PAGERDUTY or EMAIL",
          body: CreateChannelBody,
          response: { 201: ChannelView, ...writeErrors },
        },
      },
      async (req, reply) => {
        const view = await createChannel({ deps, actor: actorOf(req), input: req.body });
        reply.header("location", `${BASE}/channels/${view.id}`);
        return reply.status(201).send(view);
      },
    );

    app.get(
      `${BASE}/channels/:id`,
      {
        preValidation: tenantReader,
        schema: {
          tags,
          summary: "One channel (secrets masked)",
          params: AlertIdParams,
          response: { 200: ChannelView, ...errors },
        },
      },
      async (req) => getChannel(deps.db, tenantOf(req).tenantId, req.params.id),
    );

    app.patch(
      `${BASE}/channels/:id`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Update a channel's name or config (admin); the type cannot change",
          params: AlertIdParams,
          body: UpdateChannelBody,
          response: { 200: ChannelView, ...writeErrors },
        },
      },
      async (req) => updateChannel({ deps, actor: actorOf(req), id: req.params.id, input: req.body }),
    );

    app.delete(
      `${BASE}/channels/:id`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary: "Delete a channel (admin); 409 while a policy uses it",
          params: AlertIdParams,
          response: { 200: ChannelView, ...writeErrors },
        },
      },
      async (req) => deleteChannel({ deps, actor: actorOf(req), id: req.params.id }),
    );

    app.post(
      `${BASE}/channels/:id/test`,
      {
        preValidation: tenantAdmin,
        schema: {
          tags,
          summary:
            "Send a test notice now (admin); a blocked target fails with SSRF_BLOCKED, never contacted",
          params: AlertIdParams,
          response: { 200: ChannelTestResult, ...errors },
        },
      },
      async (req) => testChannel({ deps, actor: actorOf(req), id: req.params.id }),
    );
  };
}
