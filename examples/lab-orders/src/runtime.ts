import {
  hs256Secret,
  type Logger,
  type ServiceRuntime,
  type ShutdownRegistry,
  signHs256,
} from "@hip/service-kit";
import { StatusClient } from "@hip/status-client";
import { buildApp } from "./app.ts";
import type { LabOrdersEnv } from "./env.ts";
import { ormMessage, sendHl7 } from "./mllp-sender.ts";
import { LabOrders } from "./orders.ts";

export interface Runtime extends ServiceRuntime {
  status: StatusClient;
  orders: LabOrders;
}

/**
 * How a platform service adds @hip/status-client: one client per process, bound to the tenant it serves, started
 * in start() (after listening: /ready stays 503 until the snapshot is loaded), stopped with the intake.
 */
export async function createRuntime(env: LabOrdersEnv, logger: Logger): Promise<Runtime> {
  const status = new StatusClient({
    name: "lab-orders",
    statsUrl: env.STATS_SERVICE_URL,
    token:
      env.STATUS_SERVICE_TOKEN ??
      // Dev only: sign a short-lived service token per snapshot page (hs256Secret refuses this in production).
      (() => signHs256({ sub: "lab-orders", roles: ["service"] }, hs256Secret(env), { ttlSeconds: 300 })),
    scope: { tenantId: env.TENANT_ID },
    brokers: env.KAFKA_BROKERS,
    topicPrefix: env.KAFKA_TOPIC_PREFIX,
    logger: logger.child({ component: "status-client" }),
    ...(env.INSTANCE_ID ? { instanceId: env.INSTANCE_ID } : {}),
  });
  const orders = new LabOrders({
    status,
    lisIntegrationId: env.LIS_INTEGRATION_ID,
    send: (order) => sendHl7(env.LIS_ENDPOINT, ormMessage(order)),
    logger,
    retryIntervalMs: env.HELD_RETRY_INTERVAL_MS,
  });
  let ready = false;
  const app = await buildApp({ env, logger, orders, ready: () => ready && status.isHealthy() });
  return {
    app,
    status,
    orders,
    async start() {
      await status.start();
      ready = true;
    },
    registerShutdown(registry: ShutdownRegistry) {
      registry.register("intake", "http", () => app.close());
      registry.register("intake", "orders", async () => orders.close());
      registry.register("intake", "status-client", () => status.stop());
    },
  };
}
