import { describe, expect, it } from "vitest";
import { parseToken } from "./session.ts";

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const jwt = (claims: unknown) => `${b64({ alg: "HS256" })}.${b64(claims)}.sig`;

describe("parseToken", () => {
  it("reads tenant, roles and expiry; admin sees write controls", () => {
    const r = parseToken(
      `Bearer ${jwt({ sub: "a", tenantId: "t1", roles: ["admin"], exp: 2_000_000_000 })}`,
      0,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.session).toMatchObject({ tenantId: "t1", isAdmin: true, expiresAt: 2_000_000_000_000 });
  });

  it("marks viewers as read-only", () => {
    const r = parseToken(jwt({ sub: "v", tenantId: "t1", roles: ["viewer"] }));
    expect(r.ok && r.session.isAdmin).toBe(false);
  });

  it("refuses expired, service and malformed tokens", () => {
    expect(parseToken(jwt({ sub: "a", tenantId: "t1", roles: ["admin"], exp: 10 }), 20_000).ok).toBe(false);
    expect(parseToken(jwt({ sub: "probe-worker", roles: ["service"] })).ok).toBe(false);
    expect(parseToken("not-a-jwt").ok).toBe(false);
    expect(parseToken("a.!!!.c").ok).toBe(false);
  });
});
