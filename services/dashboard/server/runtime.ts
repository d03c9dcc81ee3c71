import type { Logger, ServiceRuntime, ShutdownRegistry } from "@hip/service-kit";
import { buildApp } from "./app.ts";
import type { DashboardEnv } from "./env.ts";

export type Runtime = ServiceRuntime;

/** The dashboard has no stores or consumers: the app (proxy, SPA, dev sign-in) is the whole runtime. */
export async function createRuntime(env: DashboardEnv, logger: Logger): Promise<Runtime> {
  const app = await buildApp(env, logger);
  return {
    app,
    async start() {
      if (env.DASHBOARD_DEV_LOGIN) {
        logger.warn("dev sign-in helper enabled (POST /dashboard/dev-token); never in production");
      }
    },
    registerShutdown(registry: ShutdownRegistry) {
      registry.register("intake", "http", () => app.close());
    },
  };
}
