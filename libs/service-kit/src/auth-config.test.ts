import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildServiceApp } from "./app.ts";
import { authenticate, registerAuth, resolveAuth } from "./auth.ts";
import { EnvError } from "./env.ts";
import { DEV_JWT_SECRET, signHs256 } from "./jwt.ts";
import { createLogger } from "./logger.ts";

const logger = createLogger({ name: "test", level: "silent" });
const PEM = "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----";

describe("resolveAuth", () => {
  it("falls back to the dev HS256 secret outside production only", () => {
    expect(resolveAuth({ NODE_ENV: "development" })).toMatchObject({ secret: DEV_JWT_SECRET });
    expect(resolveAuth({ NODE_ENV: "test", JWT_SECRET: "x".repeat(32) }).secret).toBe("x".repeat(32));
    expect(() => resolveAuth({ NODE_ENV: "production" })).toThrow(EnvError);
    expect(() => resolveAuth({ NODE_ENV: "production" })).toThrow(/JWT_SECRET/);
    expect(resolveAuth({ NODE_ENV: "production", JWT_SECRET: "p".repeat(32) }).secret).toBe("p".repeat(32));
  });

  it("uses RS256 when a public key or JWKS URL is set, never a secret", () => {
    const pem = resolveAuth({ NODE_ENV: "production", JWT_PUBLIC_KEY: PEM, JWT_ISSUER: "idp" });
    expect(pem).toMatchObject({ publicKey: PEM, issuer: "idp" });
    expect(pem.secret).toBeUndefined();
    const jwks = resolveAuth({ NODE_ENV: "development", JWT_JWKS_URL: "https://idp.example/jwks.json" });
    expect(jwks.jwksUrl).toBe("https://idp.example/jwks.json");
    expect(jwks.secret).toBeUndefined();
  });
});

describe("DEV_JWT_SECRET", () => {
  it("is the value deploy/dev.env and docker-compose.yml give JWT_SECRET", () => {
    const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
    expect(read("deploy/dev.env")).toContain(`\nJWT_SECRET=${DEV_JWT_SECRET}\n`);
    expect(read("docker-compose.yml")).toContain(`JWT_SECRET: ${DEV_JWT_SECRET}\n`);
  });
});

describe("signHs256", () => {
  it("signs tokens the dev verifier accepts, with iat, ttl-derived exp and no undefined claims", async () => {
    const app = buildServiceApp({ name: "t", logger });
    await registerAuth(app, resolveAuth({ NODE_ENV: "development", JWT_AUDIENCE: "hip" }));
    app.get("/me", async (req) => authenticate(req));
    const now = Date.now();
    const token = signHs256(
      { sub: "u", tenantId: "t1", roles: ["viewer"], aud: "hip", iss: undefined },
      DEV_JWT_SECRET,
      {
        ttlSeconds: 60,
        now,
      },
    );
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    expect(payload).toEqual({
      sub: "u",
      tenantId: "t1",
      roles: ["viewer"],
      aud: "hip",
      iat: Math.floor(now / 1000),
      exp: Math.floor(now / 1000) + 60,
    });
    const ok = await app.inject({ url: "/me", headers: { authorization: `Bearer ${token}` } });
    expect(ok.json()).toEqual({ sub: "u", tenantId: "t1", roles: ["viewer"], exp: payload.exp });
    const expired = signHs256({ sub: "u", tenantId: "t1", roles: ["viewer"], aud: "hip" }, DEV_JWT_SECRET, {
      ttlSeconds: -60,
    });
    expect(
      (await app.inject({ url: "/me", headers: { authorization: `Bearer ${expired}` } })).statusCode,
    ).toBe(401);
    await app.close();
  });
});
