import { createHmac } from "node:crypto";
import { DEV_JWT_SECRET } from "@hip/service-kit";
import { describe, expect, it } from "vitest";
import { serviceTokenProvider } from "./service-token.ts";

const decode = (token: string) => {
  const [head, body, sig] = token.split(".");
  return {
    head: JSON.parse(Buffer.from(head ?? "", "base64url").toString()),
    body: JSON.parse(Buffer.from(body ?? "", "base64url").toString()),
    sig,
    signed: `${head}.${body}`,
  };
};

describe("serviceTokenProvider", () => {
  it("uses CONFIG_SERVICE_TOKEN as is when set", () => {
    expect(serviceTokenProvider({ staticToken: "abc", nodeEnv: "production" })()).toBe("abc");
  });

  it("refuses to mint in production", () => {
    expect(() => serviceTokenProvider({ nodeEnv: "production", secret: "x".repeat(40) })).toThrow(
      /CONFIG_SERVICE_TOKEN is required/,
    );
  });

  it("mints an HS256 service token with the dev secret, verifiable with the same secret", () => {
    const token = serviceTokenProvider({ nodeEnv: "development", issuer: "hip", audience: "hip-api" })();
    const { head, body, sig, signed } = decode(token);
    expect(head).toEqual({ alg: "HS256", typ: "JWT" });
    expect(body).toMatchObject({ sub: "probe-worker", roles: ["service"], iss: "hip", aud: "hip-api" });
    expect(body.tenantId).toBeUndefined();
    expect(body.exp - body.iat).toBe(300);
    expect(sig).toBe(createHmac("sha256", DEV_JWT_SECRET).update(signed).digest("base64url"));
  });

  it("reuses the token while fresh and re-mints it before it expires", () => {
    let now = 1_000_000_000_000;
    const next = serviceTokenProvider({
      nodeEnv: "test",
      secret: "s".repeat(32),
      ttlSeconds: 300,
      now: () => now,
    });
    const first = next();
    now += 200_000;
    expect(next()).toBe(first);
    now += 50_000; // 50 s left: under the one-minute margin
    const second = next();
    expect(second).not.toBe(first);
    expect(decode(second).body.exp).toBe(Math.floor(now / 1000) + 300);
  });
});
