import { z } from "zod";
import { Role } from "./enums.ts";

/** JWT claims accepted by every service. `tenantId` is required for tenant roles; service tokens carry none. */
/** True when `s` holds a control character (NUL included): PostgreSQL refuses NUL in text and jsonb. */
export function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A well-formed uuid (what PostgreSQL's uuid cast accepts in canonical form): cursor ids are checked with it. */
export function isUuid(s: unknown): s is string {
  return typeof s === "string" && UUID.test(s);
}

/** Claims end up in SQL parameters, logs and keys: no control characters. */
const claimText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !hasControlCharacter(s), { message: "must not contain control characters" });

export const JwtClaims = z.object({
  sub: claimText(256),
  tenantId: claimText(100).optional(),
  roles: z.array(Role).min(1),
  iat: z.number().optional(),
  exp: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});
export type JwtClaims = z.infer<typeof JwtClaims>;
