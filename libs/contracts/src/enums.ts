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

/**
 * THE rule for which header names carry secrets (case-insensitive substring match), used everywhere: the config
 * service encrypts and masks their values, the probe worker drops them on a redirect to another origin and
 * redacts their values from outcomes. A name containing any of these is secret: `auth` (Authorization,
 * Proxy-Authorization, X-Authorization, X-Auth-Token), `cookie`, `secret`, `token`, `passw`, `key` (X-Api-Key,
 * Api-Key), `signature`, `credential`, `session`. Erring towards secret only costs a masked value.
 */
export const SECRET_HEADER_PATTERN = /auth|cookie|secret|token|passw|key|signature|credential|session/i;

/** True when a header of this name carries a secret (SECRET_HEADER_PATTERN). */
export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER_PATTERN.test(name);
}
