import { createLogger, ShutdownRegistry } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

const env = loadEnv();
const logger = createLogger({ name: "probe-worker", level: env.LOG_LEVEL });
const shutdown = new ShutdownRegistry(logger, env.SHUTDOWN_TIMEOUT_MS);
shutdown.installSignalHandlers();

const runtime = await createRuntime(env, logger);
runtime.registerShutdown(shutdown);
await runtime.app.listen({ host: env.HOST, port: env.PORT });
await runtime.start();
logger.info({ port: env.PORT, concurrency: env.PROBE_CONCURRENCY }, "probe-worker started");
