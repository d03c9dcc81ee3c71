import {
  buildServiceApp,
  DomainError,
  type Logger,
  registerAuth,
  resolveAuth,
  tenantAdmin,
  tenantOf,
  tenantReader,
} from "@hip/service-kit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { LabOrdersEnv } from "./env.ts";
import type { LabOrders } from "./orders.ts";

const NewOrderBody = z.object({
  patientId: z.string().min(1).max(64),
  test: z.string().min(1).max(64),
});

/** Routes: POST /orders (admin), GET /orders and GET /lis (admin or viewer) of the configured tenant only. */
export async function buildApp(o: {
  env: LabOrdersEnv;
  logger: Logger;
  orders: LabOrders;
  ready: () => boolean;
}): Promise<FastifyInstance> {
  const app = buildServiceApp({
    name: "lab-orders",
    logger: o.logger,
    readiness: {
      statusClient: async () => {
        if (!o.ready()) throw new Error("status client not bootstrapped");
      },
    },
  });
  await registerAuth(app, resolveAuth(o.env));
  // This instance serves one tenant: anyone else's token sees nothing here.
  const ownTenant = (req: FastifyRequest) => {
    if (tenantOf(req).tenantId !== o.env.TENANT_ID) throw DomainError.notFound("Route");
  };

  app.post("/orders", { onRequest: tenantAdmin, schema: { body: NewOrderBody } }, async (req, reply) => {
    ownTenant(req);
    const order = await o.orders.submit(NewOrderBody.parse(req.body));
    return reply.code(order.state === "sent" ? 201 : 202).send(order);
  });
  app.get("/orders", { onRequest: tenantReader }, async (req) => {
    ownTenant(req);
    return { data: o.orders.list() };
  });
  app.get("/lis", { onRequest: tenantReader }, async (req) => {
    ownTenant(req);
    return { lis: o.orders.lis() };
  });
  return app;
}
