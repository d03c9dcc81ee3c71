import type { ConnectionSpec } from "@hip/contracts";

interface Entry {
  /**
   * The spec as UTF-8 JSON outside the JS heap: 100,000 cached specs add nothing for the GC to trace, and the heap
   * (which V8 sizes at a multiple of its live data) stays small. About a third of the parsed object's size.
   */
  json: Buffer;
  expiresAt: number;
}

export interface SpecCacheOptions {
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
  /** 0..1; each entry lives ttlMs × (1 - jitter × random), so entries loaded together do not expire together. */
  jitter?: number;
  random?: () => number;
}

/**
 * Decrypted connection specs held in process memory only (never on disk, never logged): a check costs a
 * config-service call only when its spec is not cached. Concurrent loads of one id share a single fetch.
 * Config events invalidate an entry in every process (Redis pub/sub fan-out; a reconnect clears the cache); the
 * TTL (default 1 h, jittered) only bounds how long a missed invalidation could last. A generation counter stops a
 * fetch that started before an invalidation from refilling the cache.
 */
export class SpecCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<ConnectionSpec | null>>();
  private readonly generation = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(opts: SpecCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.now = opts.now ?? Date.now;
    this.jitter = opts.jitter ?? 0.2;
    this.random = opts.random ?? Math.random;
  }

  async get(
    id: string,
    load: (id: string) => Promise<ConnectionSpec | null>,
  ): Promise<ConnectionSpec | null> {
    const hit = this.entries.get(id);
    if (hit && hit.expiresAt > this.now()) return JSON.parse(hit.json.toString("utf8")) as ConnectionSpec;
    if (hit) this.entries.delete(id);
    const running = this.inflight.get(id);
    if (running) return running;
    const gen = this.generation.get(id) ?? 0;
    const p = load(id)
      .then((spec) => {
        if (spec && this.ttlMs > 0 && this.maxEntries > 0 && (this.generation.get(id) ?? 0) === gen)
          this.put(id, spec);
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
    const ttl = this.ttlMs * (1 - this.jitter * this.random());
    this.entries.set(id, { json: Buffer.from(JSON.stringify(spec), "utf8"), expiresAt: this.now() + ttl });
  }
}
