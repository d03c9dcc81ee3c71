import { createHash } from "node:crypto";

export interface OAuthTokenKey {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string | null;
}

export interface FetchedToken {
  accessToken: string;
  /** Seconds until expiry as the token endpoint said (`expires_in`); null when it did not say. */
  expiresInSec: number | null;
}

interface Entry {
  accessToken: string;
  expiresAt: number;
}

/**
 * Process-wide cache of OAuth2 client-credentials tokens. Keyed by a hash of (tokenUrl, clientId, scope,
 * clientSecret) so a rotated secret fetches a fresh token and no secret is held as a map key. Concurrent
 * callers for one key share a single in-flight fetch. Tokens are refreshed `skewMs` before they expire.
 */
export class OAuthTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #inflight = new Map<string, Promise<string>>();
  readonly #now: () => number;
  readonly #skewMs: number;
  readonly #defaultTtlMs: number;
  readonly #maxEntries: number;

  constructor(
    opts: { now?: () => number; skewMs?: number; defaultTtlMs?: number; maxEntries?: number } = {},
  ) {
    this.#now = opts.now ?? Date.now;
    this.#skewMs = opts.skewMs ?? 5_000;
    this.#defaultTtlMs = opts.defaultTtlMs ?? 60_000;
    this.#maxEntries = opts.maxEntries ?? 10_000;
  }

  static keyOf(key: OAuthTokenKey): string {
    return createHash("sha256")
      .update(JSON.stringify([key.tokenUrl, key.clientId, key.scope ?? "", key.clientSecret]))
      .digest("hex");
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Returns a cached unexpired token, or runs `fetcher` once (shared by concurrent callers) and caches it. */
  async get(key: OAuthTokenKey, fetcher: () => Promise<FetchedToken>): Promise<string> {
    const k = OAuthTokenCache.keyOf(key);
    const hit = this.#entries.get(k);
    if (hit && hit.expiresAt > this.#now()) return hit.accessToken;
    if (hit) this.#entries.delete(k);
    const pending = this.#inflight.get(k);
    if (pending) return pending;
    const p = (async () => {
      try {
        const t = await fetcher();
        const ttlMs = t.expiresInSec === null ? this.#defaultTtlMs : t.expiresInSec * 1000;
        const expiresAt = this.#now() + Math.max(0, ttlMs - Math.min(this.#skewMs, ttlMs / 2));
        if (this.#entries.size >= this.#maxEntries) this.#evictOne();
        if (ttlMs > 0) this.#entries.set(k, { accessToken: t.accessToken, expiresAt });
        return t.accessToken;
      } finally {
        this.#inflight.delete(k);
      }
    })();
    this.#inflight.set(k, p);
    return p;
  }

  /** Drops a token the resource server rejected (401), so the next call fetches a new one. */
  invalidate(key: OAuthTokenKey): void {
    this.#entries.delete(OAuthTokenCache.keyOf(key));
  }

  clear(): void {
    this.#entries.clear();
  }

  #evictOne(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) {
      if (e.expiresAt <= now) {
        this.#entries.delete(k);
        return;
      }
    }
    const first = this.#entries.keys().next();
    if (!first.done) this.#entries.delete(first.value);
  }
}
