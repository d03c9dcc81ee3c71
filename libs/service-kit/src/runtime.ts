import type { FastifyInstance } from "fastify";
import type { Logger, LoggerOptions } from "pino";
import { createLogger } from "./logger.ts";
import { ShutdownRegistry } from "./shutdown.ts";
import { initTracing } from "./tracing.ts";

/**
 * The shape every service's `createRuntime(env, logger)` returns (src/runtime.ts). Creating it connects to the
 * stores and builds the app but starts no background work, so tests can build one, drive `app.inject`, and call
 * `start()` only when they need the consumers.
 */
export interface ServiceRuntime {
  /** The HTTP app, built but not listening. */
  app: FastifyInstance;
  /** Starts the background work (consumers, relays, workers, timers). runService calls it once the app listens. */
  start(): Promise<void>;
  /**
   * Registers every resource with the registry, each in its phase: intake (HTTP, consumers) -> drain (workers,
   * relays) -> postgres -> brokers (Redis, Kafka).
   */
  registerShutdown(registry: ShutdownRegistry): void;
}

/** The variables runService reads: `baseEnv` plus the service's PORT. */
export interface ServiceEnv {
  LOG_LEVEL: string;
  HOST: string;
  PORT: number;
  SHUTDOWN_TIMEOUT_MS: number;
}

export interface RunServiceOptions<E extends ServiceEnv> {
  name: string;
  env: E;
  create: (env: E, logger: Logger) => Promise<ServiceRuntime>;
  /** Extra pino options for the process logger (e.g. serializers). */
  logger?: LoggerOptions;
}

export interface RunningService {
  runtime: ServiceRuntime;
  logger: Logger;
  shutdown: ShutdownRegistry;
}

/**
 * The whole of every `main.ts`: one logger, one shutdown registry with the signal handlers, the runtime, listen
 * (so /health answers at once; /ready reports the dependencies), then start the background work. A failure
 * while starting runs the hooks registered so far and exits 1.
 */
export async function runService<E extends ServiceEnv>(opts: RunServiceOptions<E>): Promise<RunningService> {
  const { env } = opts;
  const logger = createLogger({ name: opts.name, level: env.LOG_LEVEL, ...opts.logger });
  const shutdown = new ShutdownRegistry(logger, env.SHUTDOWN_TIMEOUT_MS);
  shutdown.installSignalHandlers();
  const tracing = initTracing(opts.name);
  if (tracing.enabled) logger.info("tracing: exporting spans over OTLP/HTTP");
  try {
    const runtime = await opts.create(env, logger);
    runtime.registerShutdown(shutdown);
    // Last: spans of the final requests and events are flushed after everything else has stopped.
    shutdown.register("brokers", "tracing", () => tracing.shutdown());
    const address = await runtime.app.listen({ host: env.HOST, port: env.PORT });
    await runtime.start();
    logger.info({ address }, `${opts.name} started`);
    return { runtime, logger, shutdown };
  } catch (err) {
    logger.fatal({ err }, `${opts.name} failed to start`);
    await shutdown.shutdown("start-up failed");
    process.exit(1);
  }
}

/** Tests and tools: a registry holding the runtime's hooks; `shutdown()` runs them in order, as SIGTERM would. */
export function shutdownRegistryFor(
  runtime: ServiceRuntime,
  logger: Logger,
  timeoutMs = 15_000,
): ShutdownRegistry {
  const registry = new ShutdownRegistry(logger, timeoutMs);
  runtime.registerShutdown(registry);
  return registry;
}
