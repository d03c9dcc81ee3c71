import { describe, expect, it } from "vitest";
import { OAuthTokenCache } from "./oauth-token-cache.ts";

const key = { tokenUrl: "https://idp/token", clientId: "c", clientSecret: "s", scope: null };

describe("OAuthTokenCache", () => {
  it("shares one in-flight fetch between concurrent callers and caches until expiry minus skew", async () => {
    let now = 0;
    let fetches = 0;
    const cache = new OAuthTokenCache({ now: () => now, skewMs: 5_000 });
    const fetcher = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 10));
      return { accessToken: `t${fetches}`, expiresInSec: 60 };
    };
    const [a, b] = await Promise.all([cache.get(key, fetcher), cache.get(key, fetcher)]);
    expect([a, b, fetches]).toEqual(["t1", "t1", 1]);
    now = 54_000;
    expect(await cache.get(key, fetcher)).toBe("t1");
    now = 55_001;
    expect(await cache.get(key, fetcher)).toBe("t2");
  });

  it("a rotated secret or another scope is another entry; a failed fetch is not cached", async () => {
    const cache = new OAuthTokenCache();
    await cache.get(key, async () => ({ accessToken: "a", expiresInSec: 60 }));
    expect(
      await cache.get({ ...key, clientSecret: "s2" }, async () => ({ accessToken: "b", expiresInSec: 60 })),
    ).toBe("b");
    await expect(
      cache.get({ ...key, scope: "x" }, async () => Promise.reject(new Error("down"))),
    ).rejects.toThrow("down");
    expect(
      await cache.get({ ...key, scope: "x" }, async () => ({ accessToken: "c", expiresInSec: 60 })),
    ).toBe("c");
    expect(cache.size).toBe(3);
  });

  it("invalidate drops a token", async () => {
    const cache = new OAuthTokenCache();
    await cache.get(key, async () => ({ accessToken: "a", expiresInSec: 60 }));
    cache.invalidate(key);
    expect(await cache.get(key, async () => ({ accessToken: "z", expiresInSec: 60 }))).toBe("z");
  });
});
