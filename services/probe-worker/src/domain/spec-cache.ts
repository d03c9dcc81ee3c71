import type { ConnectionSpec } from "@hip/contracts";

interface Entry {
  spec: ConnectionSpec;
  expiresAt: number;
}

export interface SpecCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Decrypted connection specs held briefly in process memory only (never on disk, never logged), so a burst of
 * checks for one integration costs one config-service call. Concurrent loads of one id share a single fetch.
 * Config events invalidate an entry; the TTL bounds staleness in worker processes that did not see the event.
 * A generation counter stops a fetch that started before an invalidation from refilling the cache.
 */
export class SpecCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ConnectionSpec | null>>();
  private readonly generation = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: SpecCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.now = opts.now ?? Date.now;
  }

  async get(
    id: string,
    load: (id: string) => Promise<ConnectionSpec | null>,
  ): Promise<ConnectionSpec | null> {
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > this.now()) return hit.spec;
    if (hit) this.entries.delete(id);
    const running = this.inflight.get(id);
    if (running) return running;
    const gen = this.generation.get(id) ?? 0;
    const p = load(id)
      .then((spec) => {
        if (spec && this.ttlMs > 0 && (this.generation.get(id) ?? 0) === gen) this.put(id, spec);
        return spec;
      })
      .finally(() => this.inflight.delete(id));
    this.inflight.set(id, p);
    return p;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
    this.inflight.delete(id);
    this.generation.set(id, (this.generation.get(id) ?? 0) + 1);
    // Generations only matter while a fetch may be in flight; keep the map from growing without bound.
    if (this.generation.size > this.maxEntries) this.generation.clear();
  }

  has(id: string): boolean {
    const hit = this.entries.get(id);
    return Boolean(hit && hit.expiresAt > this.now());
  }

  clear(): void {
    this.entries.clear();
    this.inflight.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private put(id: string, spec: ConnectionSpec): void {
    if (this.entries.size >= this.maxEntries) {
      const now = this.now();
      for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
      // Still full: drop the oldest insertion (Map iterates in insertion order).
      if (this.entries.size >= this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (!oldest.done) this.entries.delete(oldest.value);
      }
    }
    this.entries.set(id, { spec, expiresAt: this.now() + this.ttlMs });
  }
}
