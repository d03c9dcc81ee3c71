import { z } from "zod";

/** Integration kinds, exactly as the seed's `Integration.type`. */
export const IntegrationType = z.enum([
  "HL7",
  "FHIR",
  "PAYMENT_GATEWAY",
  "LAB_SYSTEM",
  "IMAGING_SYSTEM",
  "PHARMACY_SYSTEM",
  "EHR_SYSTEM",
  "INSURANCE",
  "API",
  "WEBHOOK",
]);
export type IntegrationType = z.infer<typeof IntegrationType>;

/** Authentication methods, exactly as the seed's `Integration.authType`. */
export const AuthType = z.enum(["API_KEY", "OAUTH", "BASIC_AUTH", "TOKEN", "NONE"]);
export type AuthType = z.infer<typeof AuthType>;

/** Lifecycle status. ERROR and TESTING are owned by the system; admins set ACTIVE or INACTIVE. */
export const IntegrationStatus = z.enum(["ACTIVE", "INACTIVE", "ERROR", "TESTING"]);
export type IntegrationStatus = z.infer<typeof IntegrationStatus>;

export const AdminSettableStatus = z.enum(["ACTIVE", "INACTIVE"]);
export type AdminSettableStatus = z.infer<typeof AdminSettableStatus>;

export const Role = z.enum(["admin", "viewer", "service"]);
export type Role = z.infer<typeof Role>;

/** Fields holding secrets. They are encrypted at rest and never leave the config service in clear text,
 * except to the probe worker through the internal connection-spec endpoint. */
export const SECRET_FIELDS = ["apiKey", "apiSecret", "password", "token", "clientSecret"] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

export function isSecretField(field: string): field is SecretField {
  return (SECRET_FIELDS as readonly string[]).includes(field);
}

/** Header names whose values are treated as secrets (compared case-insensitively). */
export const SECRET_HEADER_PATTERN =
  /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token)$|(secret|token|password|key|signature|credential)/i;
