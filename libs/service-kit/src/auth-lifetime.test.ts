import { describe, expect, it } from "vitest";
import { buildServiceApp } from "./app.ts";
import { registerAuth, resolveAuth, tenantReader, tenantOf } from "./auth.ts";
import { parseEnv, authEnv, baseEnv } from "./env.ts";
import { DEV_JWT_SECRET, signHs256 } from "./jwt.ts";
import { createLogger } from "./logger.ts";

const logger = createLogger({ name: "test", level: "silent" });
const now = () => Math.floor(Date.now() / 1000);
const user = { sub: "u", tenantId: "t1", roles: ["admin"] };
const service = { sub: "probe-worker", roles: ["service"] };

async function app(source: Record<string, string> = {}) {
  const env = parseEnv({ ...baseEnv, ...authEnv }, { NODE_ENV: "test", ...source });
  const a = buildServiceApp({ name: "t", logger });
  await registerAuth(a, resolveAuth(env));
  a.get("/me", { onRequest: tenantReader }, async (req) => ({ tenant: tenantOf(req).tenantId }));
  a.get("/svc", async (req) => {
    const { authenticate } = await import("./auth.ts");
    return authenticate(req);
  });
  await a.ready();
  return a;
}

const call = (a: Awaited<ReturnType<typeof app>>, token: string, url = "/me") =>
  a.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe("token lifetime (every service: resolveAuth + registerAuth)", () => {
  it("requires exp", async () => {
    const a = await app();
    const res = await call(a, signHs256(user, DEV_JWT_SECRET));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toBe("Token has no exp");
  });

  it("refuses iat beyond the clock skew, accepts it within", async () => {
    const a = await app();
    const future = await call(
      a,
      signHs256({ ...user, iat: now() + 365 * 86_400, exp: now() + 366 * 86_400 }, DEV_JWT_SECRET),
    );
    expect(future.statusCode).toBe(401);
    expect(future.json().error.message).toBe("Token is issued in the future");
    const skewed = await call(a, signHs256({ ...user, iat: now() + 30, exp: now() + 3600 }, DEV_JWT_SECRET));
    expect(skewed.statusCode).toBe(200);
  });

  it("caps user tokens at JWT_MAX_TTL_SECONDS (24 h by default), by exp - iat and by exp - now", async () => {
    const a = await app();
    const century = await call(a, signHs256({ ...user, exp: now() + 100 * 365 * 86_400 }, DEV_JWT_SECRET));
    expect(century.statusCode).toBe(401);
    expect(century.json().error.message).toBe("Token lifetime exceeds 86400 s");
    const noIat = signHs256({ ...user, exp: now() + 2 * 86_400, iat: undefined }, DEV_JWT_SECRET);
    expect(JSON.parse(Buffer.from(noIat.split(".")[1] ?? "", "base64url").toString()).iat).toBeUndefined();
    expect((await call(a, noIat)).statusCode).toBe(401);
    const oldIat = signHs256({ ...user, iat: now() - 2 * 86_400, exp: now() + 600 }, DEV_JWT_SECRET);
    expect((await call(a, oldIat)).statusCode).toBe(401);
    expect((await call(a, signHs256(user, DEV_JWT_SECRET, { ttlSeconds: 86_400 }))).statusCode).toBe(200);
    const short = await app({ JWT_MAX_TTL_SECONDS: "3600" });
    expect((await call(short, signHs256(user, DEV_JWT_SECRET, { ttlSeconds: 7200 }))).statusCode).toBe(401);
    expect((await call(short, signHs256(user, DEV_JWT_SECRET, { ttlSeconds: 3600 }))).statusCode).toBe(200);
  });

  it("service tokens have their own cap (JWT_SERVICE_MAX_TTL_SECONDS, 30 days by default)", async () => {
    const a = await app();
    const week = await call(a, signHs256(service, DEV_JWT_SECRET, { ttlSeconds: 7 * 86_400 }), "/svc");
    expect(week.statusCode).toBe(200);
    expect(week.json()).toMatchObject({ sub: "probe-worker", exp: expect.any(Number) });
    const year = await call(a, signHs256(service, DEV_JWT_SECRET, { ttlSeconds: 365 * 86_400 }), "/svc");
    expect(year.statusCode).toBe(401);
    // A token with a tenant is a user token, whatever its roles: the user cap applies.
    const tenantService = signHs256({ ...service, tenantId: "t1" }, DEV_JWT_SECRET, {
      ttlSeconds: 7 * 86_400,
    });
    expect((await call(a, tenantService, "/svc")).statusCode).toBe(401);
    const strict = await app({ JWT_SERVICE_MAX_TTL_SECONDS: "600" });
    expect(
      (await call(strict, signHs256(service, DEV_JWT_SECRET, { ttlSeconds: 3600 }), "/svc")).statusCode,
    ).toBe(401);
  });

  it("a control character in the tenantId or sub claim is a 401 naming the claim", async () => {
    const a = await app();
    const nul = await call(
      a,
      signHs256({ ...user, tenantId: "t1\u0000x" }, DEV_JWT_SECRET, { ttlSeconds: 60 }),
    );
    expect(nul.statusCode).toBe(401);
    expect(nul.json().error.details).toEqual([expect.objectContaining({ field: "token.tenantId" })]);
    const sub = await call(a, signHs256({ ...user, sub: "a\u0000" }, DEV_JWT_SECRET, { ttlSeconds: 60 }));
    expect(sub.json().error.details).toEqual([expect.objectContaining({ field: "token.sub" })]);
  });
});
