import { createLogger, ShutdownRegistry } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

const env = loadEnv();
const logger = createLogger({ name: "alert-service", level: env.LOG_LEVEL });
const runtime = await createRuntime(env, logger);
const shutdown = new ShutdownRegistry(logger, env.SHUTDOWN_TIMEOUT_MS);
runtime.registerShutdown(shutdown);
shutdown.installSignalHandlers();
await runtime.app.listen({ host: env.HOST, port: env.PORT });
await runtime.start();
