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
});
