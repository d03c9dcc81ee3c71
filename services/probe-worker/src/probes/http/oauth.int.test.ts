import { afterEach, describe, expect, it } from "vitest";
import { executeProbe } from "../index.ts";
import { OAuthTokenCache } from "../oauth-token-cache.ts";
import { type HttpPeer, json, makeSpec, startHttp, testCtx } from "../testing/peers.ts";

const peers: { close: () => Promise<void> }[] = [];
async function http(handler: Parameters<typeof startHttp>[0]): Promise<HttpPeer> {
  const p = await startHttp(handler);
  peers.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const ok = (res: Parameters<Parameters<typeof startHttp>[0]>[1]) => json(res, 200, { status: "UP" });

describe("HTTP probe: OAuth2 client credentials", () => {
  it("fetches a token once, caches it until expiry, then fetches again", async () => {
    let issued = 0;
    const idp = await http((req, res) => {
      const basic = `Basic ${Buffer.from("client-1:cs-secret").toString("base64")}`;
      const form = new URLSearchParams(req.body);
      if (
        req.method !== "POST" ||
        req.headers.authorization !== basic ||
        form.get("grant_type") !== "client_credentials"
      ) {
        return json(res, 401, { error: "invalid_client" });
      }
      issued++;
      json(res, 200, {
        access_token: `at-${issued}`,
        token_type: "Bearer",
        expires_in: 60,
        scope: form.get("scope"),
      });
    });
    const api = await http((req, res) =>
      /^Bearer at-\d$/.test(req.headers.authorization ?? "") ? ok(res) : json(res, 401, {}),
    );
    let now = 1_000_000;
    const ctx = testCtx({ tokenCache: new OAuthTokenCache({ now: () => now }) });
    const spec = makeSpec({
      endpoint: api.url,
      authType: "OAUTH",
      tokenUrl: `${idp.url}/oauth/token`,
      clientId: "client-1",
      clientSecret: "cs-secret",
      scope: "system/*.read",
    });
    expect((await executeProbe(spec, ctx)).success).toBe(true);
    expect((await executeProbe(spec, ctx)).success).toBe(true);
    expect(issued).toBe(1);
    expect(new URLSearchParams(idp.requests[0]?.body).get("scope")).toBe("system/*.read");
    expect(api.requests.map((r) => r.headers.authorization)).toEqual(["Bearer at-1", "Bearer at-1"]);
    now += 61_000;
    expect((await executeProbe(spec, ctx)).success).toBe(true);
    expect(issued).toBe(2);
    expect(api.requests[2]?.headers.authorization).toBe("Bearer at-2");
  });

  it("a token revoked before expiry (401) is dropped and refetched once", async () => {
    let issued = 0;
    const idp = await http((_req, res) => {
      issued++;
      json(res, 200, { access_token: `at-${issued}`, expires_in: 3600 });
    });
    const api = await http((req, res) =>
      req.headers.authorization === "Bearer at-2" ? ok(res) : json(res, 401, {}),
    );
    const ctx = testCtx();
    const spec = makeSpec({
      endpoint: api.url,
      authType: "OAUTH",
      tokenUrl: idp.url,
      clientId: "c",
      clientSecret: "secret-1",
    });
    const first = await executeProbe(spec, ctx);
    expect(first.error?.code).toBe("AUTH_FAILED");
    const second = await executeProbe(spec, ctx);
    expect(second.success).toBe(true);
    expect(issued).toBe(2);
  });

  it("a refusing token endpoint is OAUTH_TOKEN_FAILED at stage auth, with its error, without the secret", async () => {
    const idp = await http((_req, res) =>
      json(res, 401, { error: "invalid_client", error_description: "bad secret" }),
    );
    const api = await http((_req, res) => ok(res));
    const out = await executeProbe(
      makeSpec({
        endpoint: api.url,
        authType: "OAUTH",
        tokenUrl: idp.url,
        clientId: "c",
        clientSecret: "very-secret-value",
        retryAttempts: 2,
      }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "OAUTH_TOKEN_FAILED", stage: "auth" });
    expect(out.error?.message).toContain("invalid_client");
    expect(out.attempts).toBe(1);
    expect(api.requests).toHaveLength(0);
    expect(JSON.stringify(out)).not.toContain("very-secret-value");
  });
});
