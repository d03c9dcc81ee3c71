import { ErrorEnvelope } from "@hip/contracts";
import { tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { ServerResponse } from "node:http";
import { z } from "zod";
import type { StreamHub, StreamMessage } from "../domain/stream/hub.ts";
import type { StatsMetrics } from "../metrics/metrics.ts";

export interface StreamRouteOptions {
  hub: StreamHub;
  metrics: StatsMetrics;
  heartbeatMs: number;
}

/**
 * Browsers' EventSource cannot set headers, so this route (only) also accepts the JWT as `?access_token=`.
 * The route logs at warn level so the token-bearing URL never reaches the request log.
 */
async function tokenFromQuery(req: FastifyRequest): Promise<void> {
  const q = req.query as { access_token?: unknown };
  if (!req.headers.authorization && typeof q.access_token === "string" && q.access_token.length > 0) {
    req.headers.authorization = `Bearer ${q.access_token}`;
  }
}

function frame(m: StreamMessage): string {
  return `id: ${m.id}\nevent: ${m.event.type}\ndata: ${JSON.stringify(m.event)}\n\n`;
}

/** The SSE stream (registered under API_BASE_PATH). */
export const streamRoutes: FastifyPluginAsyncZod<StreamRouteOptions> = async (app, opts) => {
  const open = new Set<ServerResponse>();
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });

  app.get(
    "/stats/stream",
    {
      logLevel: "warn",
      onRequest: [tokenFromQuery, tenantReader],
      schema: {
        tags: ["stats"],
        summary:
          "Server-Sent Events: status changes, probe results and integration changes of the caller's tenant. " +
          "Resume with Last-Event-ID; a `reset` event means the client must refetch its snapshot.",
        security: [{ bearerAuth: [] }],
        querystring: z.object({
          access_token: z.string().optional(),
          lastEventId: z.string().max(64).optional(),
        }),
        headers: z.looseObject({ "last-event-id": z.string().max(64).optional() }),
        response: { 401: ErrorEnvelope, 403: ErrorEnvelope },
      },
    },
    async (req, reply) => {
      const { tenantId } = tenantOf(req);
      const lastId = req.headers["last-event-id"] ?? req.query.lastEventId;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
        "x-request-id": req.id,
      });
      res.write("retry: 3000\n\n");
      // Replay and subscribe in the same synchronous step: nothing can be published in between.
      if (typeof lastId === "string" && lastId.length > 0) {
        const missed = opts.hub.since(tenantId, lastId);
        if (missed === null) {
          res.write(
            `event: reset\ndata: ${JSON.stringify({ type: "reset", reason: "unknown_last_event_id" })}\n\n`,
          );
        } else {
          for (const m of missed) res.write(frame(m));
        }
      }
      const unsubscribe = opts.hub.subscribe(tenantId, (m) => res.write(frame(m)));
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), opts.heartbeatMs);
      open.add(res);
      opts.metrics.sseClients.inc();
      const cleanup = () => {
        if (!open.delete(res)) return;
        clearInterval(heartbeat);
        unsubscribe();
        opts.metrics.sseClients.dec();
      };
      res.on("close", cleanup);
      res.on("error", cleanup);
    },
  );
};
