import { randomUUID } from "node:crypto";
import { signHs256 } from "@hip/service-kit";
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

/** Mints an HS256 JWT with the platform's claims (sub, tenantId, roles). Dev profile only. */
export function mintDevToken(
  secret: string,
  body: DevTokenBody,
  now = Date.now(),
): { token: string; expiresAt: string } {
  const claims = {
    sub: `dev-${body.role}@${body.tenantId}`,
    tenantId: body.tenantId,
    roles: [body.role],
    jti: randomUUID(),
  };
  const token = signHs256(claims, secret, { ttlSeconds: DEV_TOKEN_TTL_SECONDS, now });
  const exp = Math.floor(now / 1000) + DEV_TOKEN_TTL_SECONDS;
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}
