import {
  ErrorEnvelope,
  TrafficBatchBody,
  TrafficBatchResult,
  TrafficQuery,
  TrafficSeries,
} from "@hip/contracts";
import { type AuthHook, authenticate, DomainError, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type pg from "pg";
import { z } from "zod";
import { getTrafficSeries } from "../domain/traffic/get-traffic.ts";
import { ingestTrafficBatch } from "../domain/traffic/ingest-traffic.ts";
import type { TrafficMetrics } from "../metrics/traffic-metrics.ts";

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const security = [{ bearerAuth: [] }];

/**
 * Traffic reporters: a tenant admin, or a service token that names the tenant (`roles: ["service"]` plus
 * `tenantId`: an interface engine's credential for one hospital). Viewers and tenant-less service tokens: 403.
 */
export const trafficReporter: AuthHook = async (req) => {
  const auth = await authenticate(req);
  if (!auth.tenantId) throw new DomainError("FORBIDDEN", "A token naming the tenant is required");
  if (!auth.roles.includes("admin") && !auth.roles.includes("service")) {
    throw new DomainError("FORBIDDEN", "This action requires role admin or a service token for the tenant");
  }
};

export const trafficRoutes: FastifyPluginAsyncZod<{
  pool: pg.Pool;
  metrics: TrafficMetrics;
  now?: () => number;
  maxAgeMs?: number;
}> = async (r, { pool, metrics, now, maxAgeMs }) => {
  r.post(
    "/traffic",
    {
      onRequest: trafficReporter,
      schema: {
        tags: ["traffic"],
        summary:
          "Report message traffic (≤ 1,000 windows of ≤ 60 s); all or nothing; idempotent per (integration, windowStart, source)",
        security,
        body: TrafficBatchBody,
        response: { 200: TrafficBatchResult, ...errors },
      },
    },
    async (req) => {
      const auth = tenantOf(req);
      try {
        const result = await ingestTrafficBatch({
          pool,
          tenantId: auth.tenantId,
          reports: req.body.reports.map((x) => ({ ...x, source: x.source ?? auth.sub })),
          ...(now ? { now: now() } : {}),
          ...(maxAgeMs ? { maxAgeMs } : {}),
        });
        metrics.countStored("http", result.byType);
        metrics.duplicates.inc({ via: "http" }, result.duplicates);
        return { accepted: result.accepted, duplicates: result.duplicates };
      } catch (err) {
        if (err instanceof DomainError) metrics.rejected.inc({ via: "http", reason: err.code.toLowerCase() });
        throw err;
      }
    },
  );

  r.get(
    "/stats/integrations/:id/traffic",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["traffic"],
        summary: "Received / filtered / sent / errored / negative ACKs and queue gauges per minute or hour",
        security,
        params: z.object({ id: z.uuid() }),
        querystring: TrafficQuery,
        response: { 200: TrafficSeries, ...errors },
      },
    },
    async (req) =>
      getTrafficSeries({
        pool,
        tenantId: tenantOf(req).tenantId,
        integrationId: req.params.id,
        query: req.query,
        ...(now ? { now: now() } : {}),
      }),
  );
};
