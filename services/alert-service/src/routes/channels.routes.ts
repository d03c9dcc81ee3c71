import {
  API_BASE_PATH,
  AlertIdParams,
  ChannelList,
  ChannelTestResult,
  ChannelView,
  CreateChannelBody,
  UpdateChannelBody,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { getChannel, listChannels } from "../domain/channels/read-channels.ts";
import { testChannel } from "../domain/channels/test-channel.ts";
import { createChannel, deleteChannel, updateChannel } from "../domain/channels/write-channels.ts";
import type { DomainDeps } from "../domain/context.ts";
import { actorOf, errors, writeErrors } from "./http.ts";

const tags = ["channels"];

/** Registered under /api/integration/alerts. */
export const channelRoutes: FastifyPluginAsyncZod<{ deps: DomainDeps }> = async (app, { deps }) => {
  app.get(
    `/channels`,
    {
      onRequest: tenantReader,
      schema: {
        tags,
        summary: "List channels (secrets masked) with their last delivery and last test",
        response: { 200: ChannelList, ...errors },
      },
    },
    async (req) => ({ data: await listChannels(deps.db, tenantOf(req).tenantId) }),
  );

  app.post(
    `/channels`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Create a channel (admin): WEBHOOK, SLACK, TEAMS, PAGERDUTY or EMAIL",
        body: CreateChannelBody,
        response: { 201: ChannelView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const view = await createChannel({ deps, actor: actorOf(req), input: req.body });
      reply.header("location", `${API_BASE_PATH}/alerts/channels/${view.id}`);
      return reply.status(201).send(view);
    },
  );

  app.get(
    `/channels/:id`,
    {
      onRequest: tenantReader,
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
    `/channels/:id`,
    {
      onRequest: tenantAdmin,
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
    `/channels/:id`,
    {
      onRequest: tenantAdmin,
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
    `/channels/:id/test`,
    {
      onRequest: tenantAdmin,
      schema: {
        tags,
        summary: "Send a test notice now (admin); a blocked target fails with SSRF_BLOCKED, never contacted",
        params: AlertIdParams,
        response: { 200: ChannelTestResult, ...errors },
      },
    },
    async (req) => testChannel({ deps, actor: actorOf(req), id: req.params.id }),
  );
};
