import { generateKeyPairSync } from "node:crypto";
import Fastify from "fastify";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildServiceApp, healthCheck } from "./app.ts";
import { EnvError, baseEnv, parseEnv } from "./env.ts";
import { registerMetricsRoute } from "./metrics.ts";
import { registerAuth, requireService, tenantAdmin, tenantReader, tenantOf } from "./auth.ts";
import { DomainError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { signJwt } from "./test-tokens.ts";

const logger = createLogger({ name: "test", level: "silent" });
const SECRET = "s".repeat(40);

async function appWithRoutes(authCfg: Parameters<typeof registerAuth>[1] = { secret: SECRET }) {
  const app = buildServiceApp({
    name: "t",
    logger,
    bodyLimit: 1024,
    readiness: { ok: async () => true, down: async () => Promise.reject(new Error("db down")) },
  });
  await registerAuth(app, authCfg);
  app.post(
    "/things",
    {
      schema: { body: z.strictObject({ name: z.string().min(1), n: z.number().int().max(5) }) },
      onRequest: tenantAdmin,
    },
    async (req) => ({ tenant: tenantOf(req).tenantId, body: req.body }),
  );
  app.get("/things", { onRequest: tenantReader }, async (req) => ({ tenant: tenantOf(req).tenantId }));
  app.get("/internal", async (req) => {
    await requireService(req);
    return { ok: true };
  });
  app.get("/boom", async () => {
    throw new Error("secret internal detail: password=hunter2");
  });
  app.get("/conflict", async () => {
    throw new DomainError("CONFLICT", "already there");
  });
  await app.ready();
  return app;
}

const admin = (tenantId = "t1") =>
  signJwt({ sub: "u1", tenantId, roles: ["admin"] }, { alg: "HS256", secret: SECRET });
const viewer = () =>
  signJwt({ sub: "u2", tenantId: "t1", roles: ["viewer"] }, { alg: "HS256", secret: SECRET });

describe("service app conventions", () => {
  it("answers /health and reports each readiness check", async () => {
    const app = await appWithRoutes();
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual({ ok: "ok", down: "db down" });
  });

  it("/health/details shows each component's state; one unhealthy component makes /ready 503", async () => {
    let joined = false;
    const app = buildServiceApp({
      name: "t",
      logger,
      readiness: {
        plain: async () => ({ rows: ["not shown"] }),
        consumers: healthCheck({
          status: () => ({ ok: joined, reason: joined ? null : "group state is restarting", assigned: {} }),
        }),
      },
    });
    await app.ready();
    const down = await app.inject({ url: "/health/details" });
    expect(down.statusCode).toBe(503);
    expect(down.json().checks).toEqual({
      plain: { ok: true },
      consumers: {
        ok: false,
        error: "status: group state is restarting",
        status: { ok: false, reason: "group state is restarting", assigned: {} },
      },
    });
    expect((await app.inject({ url: "/ready" })).json().checks.consumers).toBe(
      "status: group state is restarting",
    );
    joined = true;
    const up = await app.inject({ url: "/health/details" });
    expect(up.statusCode).toBe(200);
    expect(up.json().checks.consumers).toEqual({
      ok: true,
      status: { ok: true, reason: null, assigned: {} },
    });
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
  });

  it("METRICS_TOKEN guards /metrics and /health/details (401 without it or with another); /health and /ready stay open", async () => {
    const token = "m".repeat(24);
    const app = buildServiceApp({
      name: "t",
      logger,
      metricsToken: token,
      readiness: { ok: async () => true },
    });
    registerMetricsRoute(app, {
      registry: { contentType: "text/plain; version=0.0.4", metrics: async () => 'hip_x{tenant="a"} 1\n' },
      token,
    });
    await app.ready();
    for (const url of ["/metrics", "/health/details"]) {
      const none = await app.inject({ url });
      expect(none.statusCode).toBe(401);
      expect(none.json().error.code).toBe("UNAUTHORIZED");
      expect(none.body).not.toContain("tenant");
      const wrong = await app.inject({ url, headers: { authorization: `Bearer ${"x".repeat(24)}` } });
      expect(wrong.statusCode).toBe(401);
      const right = await app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      expect(right.statusCode).toBe(200);
      const lower = await app.inject({ url, headers: { authorization: `bearer ${token}` } });
      expect(lower.statusCode).toBe(200);
    }
    expect(
      (await app.inject({ url: "/metrics", headers: { authorization: `Bearer ${token}` } })).body,
    ).toContain('tenant="a"');
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/ready" })).statusCode).toBe(200);
    await app.close();
    // Without a token (development, test) both are open; production refuses to start without one.
    const open = buildServiceApp({ name: "t", logger });
    registerMetricsRoute(open, { registry: { contentType: "text/plain", metrics: async () => "" } });
    expect((await open.inject({ url: "/metrics" })).statusCode).toBe(200);
    expect((await open.inject({ url: "/health/details" })).statusCode).toBe(200);
    await open.close();
    expect(() => parseEnv(baseEnv, { NODE_ENV: "production" })).toThrow(EnvError);
    expect(() => parseEnv(baseEnv, { NODE_ENV: "production" })).toThrow(/METRICS_TOKEN/);
    expect(() => parseEnv(baseEnv, { METRICS_TOKEN: "short" })).toThrow(/METRICS_TOKEN/);
    expect(parseEnv(baseEnv, { NODE_ENV: "production", METRICS_TOKEN: token }).METRICS_TOKEN).toBe(token);
  });

  it("validation errors use the envelope and name field and rule", async () => {
    const app = await appWithRoutes();
    const res = await app.inject({
      method: "POST",
      url: "/things",
      headers: { authorization: `Bearer ${admin()}` },
      payload: { name: "", n: 9, extra: 1 },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("VALIDATION");
    const fields = body.error.details.map((d: { field: string; rule: string }) => `${d.field}:${d.rule}`);
    expect(fields).toEqual(expect.arrayContaining(["name:min", "n:max", "extra:unknown_field"]));
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.error.requestId).toBe(res.headers["x-request-id"]);
    // A caller's well-formed request id is kept; a malformed one is replaced.
    const traced = await app.inject({ url: "/nowhere", headers: { "x-request-id": "trace-42" } });
    expect(traced.headers["x-request-id"]).toBe("trace-42");
    const bad = await app.inject({ url: "/nowhere", headers: { "x-request-id": "bad id\u0007" } });
    expect(bad.headers["x-request-id"]).not.toBe("bad id\u0007");
  });

  it("maps oversize bodies to 413, bad JSON to 400, unknown routes to 404, domain errors by code", async () => {
    const app = await appWithRoutes();
    const auth = { authorization: `Bearer ${admin()}`, "content-type": "application/json" };
    const big = await app.inject({
      method: "POST",
      url: "/things",
      headers: auth,
      payload: JSON.stringify({ name: "x".repeat(5000), n: 1 }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe("PAYLOAD_TOO_LARGE");
    const bad = await app.inject({ method: "POST", url: "/things", headers: auth, payload: "{nope" });
    expect(bad.statusCode).toBe(400);
    expect((await app.inject({ url: "/nowhere" })).json().error.code).toBe("NOT_FOUND");
    expect((await app.inject({ url: "/conflict" })).statusCode).toBe(409);
  });

  it("authenticates before parsing or validating: no token and bad input is a 401, not a 400", async () => {
    const app = await appWithRoutes();
    const invalid = await app.inject({ method: "POST", url: "/things", payload: { name: "", n: 9 } });
    expect(invalid.statusCode).toBe(401);
    const badJson = await app.inject({
      method: "POST",
      url: "/things",
      headers: { "content-type": "application/json" },
      payload: "{nope",
    });
    expect(badJson.statusCode).toBe(401);
    const viewerWrite = await app.inject({
      method: "POST",
      url: "/things",
      headers: { authorization: `Bearer ${viewer()}` },
      payload: { name: "" },
    });
    expect(viewerWrite.statusCode).toBe(403);
  });

  it("crafted input is a 400 naming the field: NUL anywhere, nesting past MAX_INPUT_DEPTH", async () => {
    const app = buildServiceApp({ name: "t", logger, bodyLimit: 1 << 20 });
    await registerAuth(app, { secret: SECRET });
    app.post(
      "/things/:id",
      {
        onRequest: tenantAdmin,
        schema: {
          params: z.object({ id: z.string() }),
          querystring: z.object({ q: z.string().optional() }),
          body: z.object({ name: z.string(), config: z.record(z.string(), z.unknown()).optional() }),
        },
      },
      async () => ({ ok: true }),
    );
    await app.ready();
    const auth = { authorization: `Bearer ${admin()}` };
    const post = (url: string, payload: unknown, headers: Record<string, string> = auth) =>
      app.inject({ method: "POST", url, headers, payload: payload as object });
    const field = async (p: ReturnType<typeof post>) => {
      const res = await p;
      return `${res.statusCode} ${res.json().error?.details?.[0]?.field}:${res.json().error?.details?.[0]?.rule}`;
    };
    expect(await field(post("/things/1", { name: "a\u0000b" }))).toBe("400 name:no_nul");
    expect(await field(post("/things/1?q=%00", { name: "a" }))).toBe("400 querystring.q:no_nul");
    expect(await field(post("/things/%00", { name: "a" }))).toBe("400 params.id:no_nul");
    expect(await field(post("/things/1", { name: "a", config: { list: ["ok", { "k\u0000": 1 }] } }))).toBe(
      "400 config.list.1:no_nul",
    );
    // Sent as text: building the 5,000-level object in the test would overflow JSON.stringify itself.
    const deep = `{"name":"a","config":${'{"d":'.repeat(5000)}"leaf"${"}".repeat(5000)}}`;
    const deepRes = await app.inject({
      method: "POST",
      url: "/things/1",
      headers: { ...auth, "content-type": "application/json" },
      payload: deep,
    });
    expect(`${deepRes.statusCode} ${deepRes.json().error.details[0].field}`).toBe("400 config");
    expect(deepRes.json().error.details[0].rule).toBe("depth");
    let fine: unknown = "leaf";
    for (let i = 0; i < 20; i++) fine = { d: fine };
    expect((await post("/things/1", { name: "a", config: fine })).statusCode).toBe(200);
    // Authentication still comes first.
    expect((await post("/things/1", { name: "\u0000" }, {})).statusCode).toBe(401);
    await app.close();
  });

  it("never leaks internals in a 5xx", async () => {
    const app = await appWithRoutes();
    const res = await app.inject({ url: "/boom" });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("hunter2");
    expect(res.json().error.message).toBe("Internal server error");
  });
});

describe("JWT auth", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const pubPem = publicKey.export({ type: "spki", format: "pem" }).toString();

  it.each([
    ["no token", undefined],
    ["garbage", "Bearer abc.def.ghi"],
    [
      "wrong key",
      `Bearer ${signJwt({ sub: "u", tenantId: "t1", roles: ["admin"] }, { alg: "HS256", secret: "x".repeat(40) })}`,
    ],
    ["alg none", `Bearer ${signJwt({ sub: "u", tenantId: "t1", roles: ["admin"] }, { alg: "none" })}`],
    [
      "expired",
      `Bearer ${signJwt({ sub: "u", tenantId: "t1", roles: ["admin"], exp: Math.floor(Date.now() / 1000) - 60 }, { alg: "HS256", secret: SECRET })}`,
    ],
    ["no tenant", `Bearer ${signJwt({ sub: "u", roles: ["admin"] }, { alg: "HS256", secret: SECRET })}`],
    [
      "unknown role",
      `Bearer ${signJwt({ sub: "u", tenantId: "t1", roles: ["root"] }, { alg: "HS256", secret: SECRET })}`,
    ],
    [
      "RS256 token against an HS256 service",
      `Bearer ${signJwt({ sub: "u", tenantId: "t1", roles: ["admin"] }, { alg: "RS256", privateKeyPem: privPem })}`,
    ],
  ])("401 for %s", async (_name, authorization) => {
    const app = await appWithRoutes();
    const res = await app.inject({ url: "/things", headers: authorization ? { authorization } : {} });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe("UNAUTHORIZED");
  });

  it("viewer may read but not write (403); the tenant comes from the token", async () => {
    const app = await appWithRoutes();
    const read = await app.inject({ url: "/things", headers: { authorization: `Bearer ${viewer()}` } });
    expect(read.json()).toEqual({ tenant: "t1" });
    const write = await app.inject({
      method: "POST",
      url: "/things",
      headers: { authorization: `Bearer ${viewer()}` },
      payload: { name: "a", n: 1 },
    });
    expect(write.statusCode).toBe(403);
  });

  it("service tokens reach internal routes only; tenant tokens get 404 there", async () => {
    const app = await appWithRoutes();
    const svc = signJwt({ sub: "probe-worker", roles: ["service"] }, { alg: "HS256", secret: SECRET });
    expect(
      (await app.inject({ url: "/internal", headers: { authorization: `Bearer ${svc}` } })).statusCode,
    ).toBe(200);
    expect(
      (await app.inject({ url: "/internal", headers: { authorization: `Bearer ${admin()}` } })).statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ url: "/things", headers: { authorization: `Bearer ${svc}` } })).statusCode,
    ).toBe(403);
  });

  it("verifies RS256 with a PEM public key and checks issuer and audience", async () => {
    const app = await appWithRoutes({ publicKey: pubPem, issuer: "https://idp.test", audience: "hip" });
    const good = signJwt(
      { sub: "u", tenantId: "t9", roles: ["viewer"], iss: "https://idp.test", aud: "hip" },
      { alg: "RS256", privateKeyPem: privPem },
    );
    const wrongAud = signJwt(
      { sub: "u", tenantId: "t9", roles: ["viewer"], iss: "https://idp.test", aud: "other" },
      { alg: "RS256", privateKeyPem: privPem },
    );
    const hs = signJwt(
      { sub: "u", tenantId: "t9", roles: ["viewer"], iss: "https://idp.test", aud: "hip" },
      { alg: "HS256", secret: pubPem },
    );
    expect(
      (await app.inject({ url: "/things", headers: { authorization: `Bearer ${good}` } })).json(),
    ).toEqual({ tenant: "t9" });
    expect(
      (await app.inject({ url: "/things", headers: { authorization: `Bearer ${wrongAud}` } })).statusCode,
    ).toBe(401);
    // Algorithm confusion: an HS256 token "signed" with the public key must be refused.
    expect(
      (await app.inject({ url: "/things", headers: { authorization: `Bearer ${hs}` } })).statusCode,
    ).toBe(401);
  });

  describe("JWKS", () => {
    const jwksServer = Fastify();
    afterAll(() => jwksServer.close());

    it("fetches RS256 keys from a JWKS URL", async () => {
      const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" };
      jwksServer.get("/keys.json", async () => ({ keys: [jwk] }));
      await jwksServer.listen({ port: 0, host: "127.0.0.1" });
      const address = jwksServer.server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      const app = await appWithRoutes({ jwksUrl: `http://127.0.0.1:${port}/keys.json` });
      const token = signJwt(
        { sub: "u", tenantId: "t5", roles: ["admin"] },
        { alg: "RS256", privateKeyPem: privPem, kid: "k1" },
      );
      const res = await app.inject({ url: "/things", headers: { authorization: `Bearer ${token}` } });
      expect(res.json()).toEqual({ tenant: "t5" });
      const other = generateKeyPairSync("rsa", { modulusLength: 2048 })
        .privateKey.export({ type: "pkcs8", format: "pem" })
        .toString();
      const forged = signJwt(
        { sub: "u", tenantId: "t5", roles: ["admin"] },
        { alg: "RS256", privateKeyPem: other, kid: "k1" },
      );
      expect(
        (await app.inject({ url: "/things", headers: { authorization: `Bearer ${forged}` } })).statusCode,
      ).toBe(401);
    });
  });
});
