import type { ConnectionSpec } from "@hip/contracts";
import type { ConfigClient } from "./config-client.ts";

interface Waiter {
  resolve: (spec: ConnectionSpec | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Gathers spec fetches for `windowMs` (or until `maxBatch` ids wait) into one batch call to the config service,
 * so a cold cache (a worker's first minute, 1,667 misses/s at 100,000 integrations) costs a few requests per
 * second instead of one per check. Falls back to single fetches against a config service without the batch route.
 */
export class SpecBatcher {
  private readonly client: Pick<ConfigClient, "getConnectionSpec" | "getConnectionSpecs">;
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private pending = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | null = null;
  private batchRoute = true;

  constructor(opts: {
    client: Pick<ConfigClient, "getConnectionSpec" | "getConnectionSpecs">;
    windowMs?: number;
    maxBatch?: number;
  }) {
    this.client = opts.client;
    this.windowMs = opts.windowMs ?? 5;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  load(id: string): Promise<ConnectionSpec | null> {
    if (!this.batchRoute) return this.client.getConnectionSpec(id);
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(id, [{ resolve, reject }]);
      if (this.pending.size >= this.maxBatch) this.flush();
      else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending;
    this.pending = new Map();
    if (batch.size === 0) return;
    void this.fetch(batch);
  }

  private async fetch(batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const specs = await this.client.getConnectionSpecs([...batch.keys()]);
      if (specs === null) {
        this.batchRoute = false;
        for (const [id, waiters] of batch) {
          this.client.getConnectionSpec(id).then(
            (spec) => settle(waiters, spec),
            (err: unknown) => fail(waiters, err),
          );
        }
        return;
      }
      // An id the answer does not mention is treated like a failed fetch (retried), never as "gone".
      for (const [id, waiters] of batch) {
        const spec = specs.get(id);
        if (spec === undefined)
          fail(waiters, new Error("config service left a requested spec out of its answer"));
        else settle(waiters, spec);
      }
    } catch (err) {
      for (const waiters of batch.values()) fail(waiters, err);
    }
  }
}

function settle(waiters: Waiter[], spec: ConnectionSpec | null): void {
  for (const w of waiters) w.resolve(spec);
}

function fail(waiters: Waiter[], err: unknown): void {
  for (const w of waiters) w.reject(err);
}
