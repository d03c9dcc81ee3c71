import { describe, expect, it } from "vitest";
import { makeSpec } from "../testing/fixtures.ts";
import { SpecCache } from "./spec-cache.ts";

describe("SpecCache", () => {
  it("serves a spec from memory until its TTL, then reloads", async () => {
    let now = 0;
    const cache = new SpecCache({ ttlMs: 5_000, now: () => now });
    const spec = makeSpec();
    let loads = 0;
    const load = async () => {
      loads++;
      return spec;
    };
    await cache.get(spec.id, load);
    await cache.get(spec.id, load);
    expect(loads).toBe(1);
    now = 5_001;
    await cache.get(spec.id, load);
    expect(loads).toBe(2);
  });

  it("shares one in-flight load and never caches a missing integration", async () => {
    const cache = new SpecCache({ ttlMs: 5_000 });
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return null;
    };
    const [a, b] = await Promise.all([cache.get("x", load), cache.get("x", load)]);
    expect([a, b, loads]).toEqual([null, null, 1]);
    await cache.get("x", load);
    expect(loads).toBe(2);
  });

  it("drops an entry on invalidate, including a load that was in flight when it was invalidated", async () => {
    const cache = new SpecCache({ ttlMs: 60_000 });
    const old = makeSpec({ version: 1 });
    const fresh = { ...old, version: 2 };
    let release: () => void = () => undefined;
    const slow = cache.get(old.id, () => new Promise((r) => (release = () => r(old))));
    cache.invalidate(old.id);
    release();
    expect((await slow)?.version).toBe(1);
    expect((await cache.get(old.id, async () => fresh))?.version).toBe(2);
    cache.invalidate(old.id);
    expect(cache.size).toBe(0);
  });

  it("stays within maxEntries", async () => {
    const cache = new SpecCache({ ttlMs: 60_000, maxEntries: 3 });
    for (let i = 0; i < 10; i++) {
      const spec = makeSpec();
      await cache.get(spec.id, async () => spec);
    }
    expect(cache.size).toBe(3);
  });

  it("spreads expiry, so specs loaded together are not all fetched again together", async () => {
    let now = 0;
    const randoms = [0, 0.5, 1];
    const cache = new SpecCache({
      ttlMs: 5_000,
      jitter: 0.2,
      now: () => now,
      random: () => randoms.shift() ?? 0,
    });
    const specs = [makeSpec(), makeSpec(), makeSpec()];
    for (const spec of specs) await cache.get(spec.id, async () => spec);
    now = 4_250; // lifetimes 5,000, 4,500 and 4,000 ms
    expect(specs.map((s) => cache.has(s.id))).toEqual([true, true, false]);
    now = 4_750;
    expect(specs.map((s) => cache.has(s.id))).toEqual([true, false, false]);
  });

  it("hands out a copy: a caller changing its spec does not change the cached one", async () => {
    const cache = new SpecCache({ ttlMs: 60_000 });
    const spec = makeSpec();
    await cache.get(spec.id, async () => spec);
    const first = await cache.get(spec.id, async () => spec);
    if (first) first.headers.injected = "x";
    expect((await cache.get(spec.id, async () => spec))?.headers.injected).toBeUndefined();
  });
});
