import { createHmac, randomUUID } from "node:crypto";
import { z } from "zod";

export const DevTokenBody = z.strictObject({
  tenantId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._-]+$/, { message: "tenantId may hold letters, digits, '.', '_' and '-'" }),
  role: z.enum(["admin", "viewer"]),
});
export type DevTokenBody = z.infer<typeof DevTokenBody>;

const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString("base64url");
}

/** Mints an HS256 JWT with the platform's claims (sub, tenantId, roles). Dev profile only. */
export function mintDevToken(
  secret: string,
  body: DevTokenBody,
  now = Date.now(),
): { token: string; expiresAt: string } {
  const iat = Math.floor(now / 1000);
  const exp = iat + DEV_TOKEN_TTL_SECONDS;
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      sub: `dev-${body.role}@${body.tenantId}`,
      tenantId: body.tenantId,
      roles: [body.role],
      jti: randomUUID(),
      iat,
      exp,
    }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return { token: `${header}.${payload}.${signature}`, expiresAt: new Date(exp * 1000).toISOString() };
}
