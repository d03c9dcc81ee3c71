import { ErrorEnvelope, type StreamReauthenticate } from "@hip/contracts";
import { DomainError, tenantOf, tenantReader } from "@hip/service-kit";
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
  /** Open streams per tenant on this replica (SSE_MAX_STREAMS_PER_TENANT). */
  maxStreamsPerTenant: number;
}

/** setTimeout's longest delay; a later expiry is reached in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** Calls `fire` at `atMs` (epoch ms); returns the canceller. */
function at(atMs: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const wait = atMs - Date.now();
    if (wait <= 0) return fire();
    timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}

/**
 * Browsers' EventSource cannot set headers, so this route (only) also accepts the JWT as `?access_token=`.
 * The route logs at warn level, and every request log redacts `access_token` (service-kit's logger).
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
  const perTenant = new Map<string, number>();
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
        response: { 401: ErrorEnvelope, 403: ErrorEnvelope, 429: ErrorEnvelope },
      },
    },
    async (req, reply) => {
      const { tenantId, exp } = tenantOf(req);
      const streams = perTenant.get(tenantId) ?? 0;
      if (streams >= opts.maxStreamsPerTenant) {
        throw new DomainError(
          "RATE_LIMITED",
          `This tenant already has ${streams} open streams (limit ${opts.maxStreamsPerTenant}); close one first`,
          {
            headers: { "retry-after": "30" },
            details: [
              {
                field: "stream",
                rule: "max_streams_per_tenant",
                message: `at most ${opts.maxStreamsPerTenant} open streams per tenant`,
              },
            ],
          },
        );
      }
      perTenant.set(tenantId, streams + 1);
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
      let released = false;
      let cancelExpiry = () => {};
      const cleanup = () => {
        if (released) return;
        released = true;
        open.delete(res);
        clearInterval(heartbeat);
        cancelExpiry();
        unsubscribe();
        const left = (perTenant.get(tenantId) ?? 1) - 1;
        if (left > 0) perTenant.set(tenantId, left);
        else perTenant.delete(tenantId);
        opts.metrics.sseClients.dec();
      };
      // The stream lives as long as its token: at `exp` the client is told to re-authenticate and the stream ends.
      cancelExpiry = at(exp * 1000, () => {
        const bye: StreamReauthenticate = {
          type: "reauthenticate",
          reason: "token_expired",
          expiredAt: new Date(exp * 1000).toISOString(),
        };
        res.end(`event: reauthenticate\ndata: ${JSON.stringify(bye)}\n\n`);
        cleanup();
      });
      res.on("close", cleanup);
      res.on("error", cleanup);
    },
  );
};
