import { ErrorEnvelope, StatusSnapshotPage, StatusSnapshotQuery } from "@hip/contracts";
import { type AuthHook, authenticate, DomainError, requireTenantUser } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type pg from "pg";
import { readStatusSnapshot } from "./read-snapshot.ts";

/** A tenant user (admin or viewer) or a service token (platform services following every tenant). */
const tenantReaderOrService: AuthHook = async (req) => {
  const auth = await authenticate(req);
  if (auth.roles.includes("service") && !auth.tenantId) return;
  await requireTenantUser(req, "admin", "viewer");
};

/**
 * `GET /stats/status-snapshot`: the bootstrap page for `@hip/status-client` (registered under API_BASE_PATH).
 * Tenant tokens read their own tenant; service tokens read every tenant, or one with `tenantId`.
 */
export const statusSnapshotRoutes: FastifyPluginAsyncZod<{ pool: pg.Pool; topicPrefix: string }> = async (
  r,
  { pool, topicPrefix },
) => {
  r.get(
    "/stats/status-snapshot",
    {
      onRequest: tenantReaderOrService,
      schema: {
        tags: ["stats"],
        summary:
          "Current status, status sequence and open incident of every integration, with the Kafka offsets the page is consistent with",
        security: [{ bearerAuth: [] }],
        querystring: StatusSnapshotQuery,
        response: {
          200: StatusSnapshotPage,
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          403: ErrorEnvelope,
        },
      },
    },
    async (req) => {
      const auth = req.auth;
      if (!auth) throw new DomainError("UNAUTHORIZED", "Not authenticated");
      const service = auth.roles.includes("service") && !auth.tenantId;
      if (!service && req.query.tenantId !== undefined && req.query.tenantId !== auth.tenantId) {
        throw new DomainError("FORBIDDEN", "tenantId: only service tokens may name a tenant", {
          details: [
            { field: "tenantId", rule: "service_only", message: "only service tokens may name a tenant" },
          ],
        });
      }
      // Never null for a tenant user (requireTenantUser checked it): null means "every tenant".
      const tenantId = service ? (req.query.tenantId ?? null) : auth.tenantId;
      if (!service && !tenantId) throw new DomainError("UNAUTHORIZED", "Token has no tenantId");
      return readStatusSnapshot({
        pool,
        topicPrefix,
        tenantId,
        cursor: req.query.cursor,
        limit: req.query.limit,
      });
    },
  );
};
