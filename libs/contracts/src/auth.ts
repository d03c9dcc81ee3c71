import { z } from "zod";
import { Role } from "./enums.ts";

/** JWT claims accepted by every service. `tenantId` is required for tenant roles; service tokens carry none. */
export const JwtClaims = z.object({
  sub: z.string().min(1),
  tenantId: z.string().min(1).max(100).optional(),
  roles: z.array(Role).min(1),
  iat: z.number().optional(),
  exp: z.number().optional(),
  iss: z.string().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
});
export type JwtClaims = z.infer<typeof JwtClaims>;
