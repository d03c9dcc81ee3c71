import {
  API_BASE_PATH,
  AuditList,
  ConnectionTestList,
  ConnectionTestView,
  IntegrationIdParams,
  PageQuery,
  TestIdParams,
} from "@hip/contracts";
import { tenantAdmin, tenantOf, tenantReader } from "@hip/service-kit";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { PgNotifications } from "@hip/outbox";
import { listAudit } from "../../domain/audit/list-audit.ts";
import type { DomainDeps } from "../../domain/context.ts";
import { toTestView } from "../../domain/integrations/view.ts";
import { awaitTestResult } from "../../domain/connection-tests/await-connection-test.ts";
import { findTest, getTest, listTests } from "../../domain/connection-tests/read-connection-tests.ts";
import { requestConnectionTest } from "../../domain/connection-tests/request-connection-test.ts";
import { actorOf, errors, writeErrors } from "../http.ts";

export interface TestRouteOptions {
  deps: DomainDeps;
  notifications: PgNotifications | null;
  maxWaitMs: number;
}

/** Connection tests and the audit trail of one integration (registered under API_BASE_PATH). */
export const testRoutes: FastifyPluginAsyncZod<TestRouteOptions> = async (app, opts) => {
  const { deps } = opts;

  app.post(
    "/configs/:id/test",
    {
      onRequest: tenantAdmin,
      schema: {
        tags: ["tests"],
        summary:
          "Run a connection test (admin): 200 with the result when it arrives in time, else 202 + Location to poll",
        params: IntegrationIdParams,
        response: { 200: ConnectionTestView, 202: ConnectionTestView, ...writeErrors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { test, waitMs } = await requestConnectionTest({
        deps,
        actor,
        id: req.params.id,
        maxWaitMs: opts.maxWaitMs,
      });
      const row =
        (await awaitTestResult({
          testId: test.id,
          waitMs,
          notifications: opts.notifications,
          load: () => findTest(deps, actor.tenantId, test.integrationId, test.id),
        })) ?? test;
      const location = `${API_BASE_PATH}/configs/${test.integrationId}/tests/${test.id}`;
      reply.header("location", location);
      if (row.status === "PENDING") reply.header("retry-after", "2");
      return reply.status(row.status === "PENDING" ? 202 : 200).send(toTestView(row));
    },
  );

  app.get(
    "/configs/:id/tests",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["tests"],
        summary: "Connection test history, newest first",
        params: IntegrationIdParams,
        querystring: PageQuery,
        response: { 200: ConnectionTestList, ...errors },
      },
    },
    async (req) => listTests(deps, tenantOf(req).tenantId, req.params.id, req.query),
  );

  app.get(
    "/configs/:id/tests/:testId",
    {
      onRequest: tenantReader,
      schema: {
        tags: ["tests"],
        summary: "One connection test (poll this after a 202)",
        params: TestIdParams,
        response: { 200: ConnectionTestView, ...errors },
      },
    },
    async (req) => toTestView(await getTest(deps, tenantOf(req).tenantId, req.params.id, req.params.testId)),
  );

  app.get(
    "/configs/:id/audit",
    {
      onRequest: tenantAdmin,
      schema: {
        tags: ["audit"],
        summary: "Audit trail of one integration, newest first (admin; kept after deletion)",
        params: IntegrationIdParams,
        querystring: PageQuery,
        response: { 200: AuditList, ...errors },
      },
    },
    async (req) => listAudit(deps, tenantOf(req).tenantId, req.params.id, req.query),
  );
};
