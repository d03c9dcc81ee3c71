import type { Logger } from "pino";

/**
 * One shutdown registry per process, run in a fixed order so a SIGTERM mid-work loses nothing:
 * intake (HTTP listeners, consumers stop taking work) -> drain (workers finish in-flight jobs, relays flush)
 * -> postgres -> brokers (Redis, Kafka producers). Each phase runs its hooks concurrently, under one deadline.
 */
export const SHUTDOWN_PHASES = ["intake", "drain", "postgres", "brokers"] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

type Hook = { name: string; fn: () => Promise<void> | void };

export class ShutdownRegistry {
  private readonly hooks = new Map<ShutdownPhase, Hook[]>();
  private running: Promise<void> | null = null;

  private readonly logger: Logger;
  private readonly timeoutMs: number;

  constructor(logger: Logger, timeoutMs = 15_000) {
    this.logger = logger;
    this.timeoutMs = timeoutMs;
  }

  register(phase: ShutdownPhase, name: string, fn: () => Promise<void> | void): void {
    const list = this.hooks.get(phase) ?? [];
    list.push({ name, fn });
    this.hooks.set(phase, list);
  }

  /** Runs every hook once; later calls return the same promise. */
  shutdown(reason: string): Promise<void> {
    if (!this.running) this.running = this.run(reason);
    return this.running;
  }

  private async run(reason: string): Promise<void> {
    this.logger.info({ reason }, "shutting down");
    const deadline = Date.now() + this.timeoutMs;
    for (const phase of SHUTDOWN_PHASES) {
      const hooks = this.hooks.get(phase) ?? [];
      // Later-registered hooks of a phase close first (LIFO), like nested resources.
      await Promise.all(
        [...hooks].reverse().map(async (hook) => {
          const left = Math.max(deadline - Date.now(), 100);
          let timer: NodeJS.Timeout | undefined;
          try {
            await Promise.race([
              Promise.resolve().then(hook.fn),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error(`timed out after ${left} ms`)), left);
              }),
            ]);
          } catch (err) {
            this.logger.error({ err, phase, hook: hook.name }, "shutdown hook failed");
          } finally {
            if (timer) clearTimeout(timer);
          }
        }),
      );
    }
    this.logger.info("shutdown complete");
  }

  /** SIGTERM/SIGINT run the registry and exit; a second signal exits at once. */
  installSignalHandlers(exit: (code: number) => void = (c) => process.exit(c)): void {
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) exit(1);
      signalled = true;
      this.shutdown(signal).then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
}
