import {
  ErrorEnvelope,
  IntegrationCurrentViewList,
  IntegrationCurrentViewQuery,
  IntegrationStats,
  StatsSummary,
  Timeseries,
  TimeseriesQuery,
} from "@hip/contracts";
import { tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type pg from "pg";
import { z } from "zod";
import { listCurrentViews } from "../domain/stats/current-view.ts";
import { getIntegrationStats } from "../domain/stats/get-integration-stats.ts";
import { getSummary } from "../domain/stats/get-summary.ts";
import { getTimeseries } from "../domain/stats/get-timeseries.ts";
import { getTrafficTotals, openAnomalyKinds } from "../domain/traffic/get-traffic.ts";

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };
const security = [{ bearerAuth: [] }];

/**
 * Thin: validate, call one domain verb with the caller's tenant, return. Viewer and admin may read.
 * Registered under API_BASE_PATH.
 */
export const statsRoutes: FastifyPluginAsyncZod<{ pool: pg.Pool }> = async (r, { pool }) => {
  r.get(
    "/stats",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["stats"],
        summary: "Tenant totals, counts by type and status, and 24 h check performance",
        security,
        response: { 200: StatsSummary, ...errors },
      },
    },
    async (req) => {
      const tenantId = tenantOf(req).tenantId;
      const [summary, traffic] = await Promise.all([
        getSummary({ pool, tenantId }),
        getTrafficTotals({ pool, tenantId }),
      ]);
      return { ...summary, traffic };
    },
  );

  r.get(
    "/stats/integrations",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["stats"],
        summary: "Current view (last check, latency, 24 h uptime) of up to 200 integrations by id",
        security,
        querystring: IntegrationCurrentViewQuery,
        response: { 200: IntegrationCurrentViewList, ...errors },
      },
    },
    async (req) => {
      const views = await listCurrentViews({ pool, tenantId: tenantOf(req).tenantId, ids: req.query.ids });
      const open = await openAnomalyKinds(
        pool,
        views.map((v) => v.integrationId),
      );
      return { data: views.map((v) => ({ ...v, trafficAnomalies: open.get(v.integrationId) ?? [] })) };
    },
  );

  r.get(
    "/stats/integrations/:id",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["stats"],
        summary:
          "Uptime (24 h, 7 d, 30 d), latency percentiles, recent checks and time in state of one integration",
        security,
        params: z.object({ id: z.uuid() }),
        response: { 200: IntegrationStats, ...errors },
      },
    },
    async (req) => {
      const tenantId = tenantOf(req).tenantId;
      const integrationId = req.params.id;
      const stats = await getIntegrationStats({ pool, tenantId, integrationId });
      const [traffic, open] = await Promise.all([
        getTrafficTotals({ pool, tenantId, integrationId }),
        openAnomalyKinds(pool, [integrationId]),
      ]);
      return { ...stats, traffic, trafficAnomalies: open.get(integrationId) ?? [] };
    },
  );

  r.get(
    "/stats/timeseries",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["stats"],
        summary: "Checks, failures and latency percentiles per minute, hour or day bucket",
        security,
        querystring: TimeseriesQuery,
        response: { 200: Timeseries, ...errors },
      },
    },
    async (req) => getTimeseries({ pool, tenantId: tenantOf(req).tenantId, query: req.query }),
  );
};
