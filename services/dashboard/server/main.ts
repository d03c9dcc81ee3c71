import { createLogger, ShutdownRegistry } from "@hip/service-kit";
import { buildApp } from "./app.ts";
import { loadConfig } from "./env.ts";

const cfg = loadConfig();
// The SSE route takes the JWT as ?access_token=: never log query strings.
const logger = createLogger({
  name: "dashboard",
  level: cfg.logLevel,
  serializers: {
    req: (req: { method: string; url: string; id: string }) => ({
      method: req.method,
      url: req.url.split("?")[0],
      id: req.id,
    }),
  },
});
const app = await buildApp(cfg, logger);
const shutdown = new ShutdownRegistry(logger, cfg.shutdownTimeoutMs);
shutdown.register("intake", "http", () => app.close());

shutdown.installSignalHandlers();

await app.listen({ host: cfg.host, port: cfg.port });
if (cfg.devLoginSecret)
  logger.warn("dev sign-in helper enabled (POST /dashboard/dev-token); never in production");
