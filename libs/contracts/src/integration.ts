import { z } from "zod";
import type { FieldIssue } from "./errors.ts";
import { AdminSettableStatus, AuthType, IntegrationStatus, IntegrationType } from "./enums.ts";
import { TrafficExpectations } from "./traffic.ts";

export const CONFIG_MAX_BYTES = 16 * 1024;
export const HEADERS_MAX = 50;

/** RFC 9110 token: header field names. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Header values: visible ASCII, spaces and tabs; never CR or LF (header injection). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

export const HeaderMap = z
  .record(
    z.string().regex(HEADER_NAME, { message: "header name must be an RFC 9110 token" }).max(256),
    z
      .string()
      .max(8192)
      .refine((v) => !/[\r\n]/.test(v), { message: "header value must not contain CR or LF" })
      .refine((v) => HEADER_VALUE.test(v), { message: "header value contains control characters" }),
  )
  .refine((h) => Object.keys(h).length <= HEADERS_MAX, { message: `at most ${HEADERS_MAX} headers` });

export const HealthCheckSettings = z.strictObject({
  enabled: z.boolean().default(true),
  intervalSeconds: z.number().int().min(10).max(86_400).default(300),
});
export type HealthCheckSettings = z.infer<typeof HealthCheckSettings>;

/**
 * Known keys of the free-form `config` object, read by the probes. Other keys are allowed (the seed calls it
 * "flexible JSON configuration"); the whole object is bounded to CONFIG_MAX_BYTES.
 */
export const IntegrationConfig = z
  .looseObject({
    // HTTP family
    method: z.enum(["GET", "HEAD", "POST", "PUT", "OPTIONS"]).optional(),
    path: z.string().max(2048).optional(),
    body: z.string().max(8192).optional(),
    expectedStatus: z
      .union([z.number().int().min(100).max(599), z.array(z.number().int().min(100).max(599)).min(1)])
      .optional(),
    bodyContains: z.string().max(1024).optional(),
    jsonPath: z.string().max(256).optional(),
    jsonEquals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    maxRedirects: z.number().int().min(0).max(10).optional(),
    apiKeyHeader: z.string().regex(HEADER_NAME).max(256).optional(),
    apiKeyQueryParam: z.string().max(256).optional(),
    tlsRejectUnauthorized: z.boolean().optional(),
    // FHIR
    fhirVersion: z.string().max(20).optional(),
    smartDiscovery: z.boolean().optional(),
    // HL7 v2 / MLLP
    hl7Message: z.string().max(65_536).optional(),
    hl7Version: z.string().max(10).optional(),
    processingId: z.enum(["P", "T", "D"]).optional(),
    sendingApplication: z.string().max(180).optional(),
    sendingFacility: z.string().max(180).optional(),
    receivingApplication: z.string().max(180).optional(),
    receivingFacility: z.string().max(180).optional(),
    tls: z.boolean().optional(),
    // DICOM
    callingAeTitle: z.string().min(1).max(16).optional(),
    calledAeTitle: z.string().min(1).max(16).optional(),
    // Status policy
    failureThreshold: z.number().int().min(1).max(100).optional(),
  })
  .refine((c) => Buffer.byteLength(JSON.stringify(c), "utf8") <= CONFIG_MAX_BYTES, {
    message: `config must serialize to at most ${CONFIG_MAX_BYTES} bytes`,
  });
export type IntegrationConfig = z.infer<typeof IntegrationConfig>;

const secret = z.string().min(1).max(4096);
const optionalText = (max: number) => z.string().trim().max(max);
const url = z.string().trim().max(2048);

/**
 * Window rule: ERROR when `failures` of the last `of` checks failed (counted since the last status change), in
 * addition to `failureThreshold` consecutive failures. `failures` <= `of`, both 1-100.
 */
export const FailureWindow = z
  .strictObject({
    failures: z.number().int().min(1).max(100),
    of: z.number().int().min(1).max(100),
  })
  .refine((w) => w.failures <= w.of, {
    path: ["failures"],
    message: "failures must be at most of",
  });
export type FailureWindow = z.infer<typeof FailureWindow>;

/** Fields shared by create and update (update makes them all optional and nullable where clearable). */
const writable = {
  name: z.string().trim().min(1).max(200),
  type: IntegrationType,
  provider: optionalText(200),
  description: optionalText(2000),
  endpoint: url,
  webhookUrl: url,
  authType: AuthType,
  apiKey: secret,
  apiSecret: secret,
  username: z.string().min(1).max(512),
  password: secret,
  token: secret,
  tokenUrl: url,
  clientId: z.string().min(1).max(512),
  clientSecret: secret,
  scope: z.string().max(1024),
  status: AdminSettableStatus,
  config: IntegrationConfig,
  headers: HeaderMap,
  timeout: z.number().int().min(100).max(120_000),
  retryAttempts: z.number().int().min(0).max(10),
  healthCheck: HealthCheckSettings,
  failureThreshold: z.number().int().min(1).max(100),
  recoveryThreshold: z.number().int().min(1).max(100),
  failureWindow: FailureWindow,
  /** When the credentials (API key, client secret...) expire, if known: the alert service sends expiry notices. */
  credentialsExpireAt: z.iso.datetime({ offset: true }),
  trafficExpectations: TrafficExpectations,
  /** Integrations of the same tenant this one depends on (VPN tunnel, engine, network): alerts suppress it while they fail. */
  dependsOn: z.array(z.uuid()).max(20),
};

export const CreateIntegrationBody = z.strictObject({
  name: writable.name,
  type: writable.type,
  provider: writable.provider.optional(),
  description: writable.description.optional(),
  endpoint: writable.endpoint.optional(),
  webhookUrl: writable.webhookUrl.optional(),
  authType: writable.authType.default("NONE"),
  apiKey: writable.apiKey.optional(),
  apiSecret: writable.apiSecret.optional(),
  username: writable.username.optional(),
  password: writable.password.optional(),
  token: writable.token.optional(),
  tokenUrl: writable.tokenUrl.optional(),
  clientId: writable.clientId.optional(),
  clientSecret: writable.clientSecret.optional(),
  scope: writable.scope.optional(),
  status: writable.status.default("ACTIVE"),
  config: writable.config.optional(),
  headers: writable.headers.optional(),
  timeout: writable.timeout.default(30_000),
  retryAttempts: writable.retryAttempts.default(3),
  healthCheck: writable.healthCheck.default({ enabled: true, intervalSeconds: 300 }),
  failureThreshold: writable.failureThreshold.default(3),
  recoveryThreshold: writable.recoveryThreshold.default(1),
  failureWindow: writable.failureWindow.nullable().optional(),
  credentialsExpireAt: writable.credentialsExpireAt.nullable().optional(),
  trafficExpectations: writable.trafficExpectations.nullable().optional(),
  dependsOn: writable.dependsOn.default([]),
});
export type CreateIntegrationBody = z.infer<typeof CreateIntegrationBody>;

/** PATCH body: every field optional; `null` clears an optional field (including a stored secret). */
export const UpdateIntegrationBody = z.strictObject({
  name: writable.name.optional(),
  type: writable.type.optional(),
  provider: writable.provider.nullable().optional(),
  description: writable.description.nullable().optional(),
  endpoint: writable.endpoint.nullable().optional(),
  webhookUrl: writable.webhookUrl.nullable().optional(),
  authType: writable.authType.optional(),
  apiKey: writable.apiKey.nullable().optional(),
  apiSecret: writable.apiSecret.nullable().optional(),
  username: writable.username.nullable().optional(),
  password: writable.password.nullable().optional(),
  token: writable.token.nullable().optional(),
  tokenUrl: writable.tokenUrl.nullable().optional(),
  clientId: writable.clientId.nullable().optional(),
  clientSecret: writable.clientSecret.nullable().optional(),
  scope: writable.scope.nullable().optional(),
  status: writable.status.optional(),
  config: writable.config.nullable().optional(),
  headers: writable.headers.nullable().optional(),
  timeout: writable.timeout.optional(),
  retryAttempts: writable.retryAttempts.optional(),
  healthCheck: z
    .strictObject({
      enabled: z.boolean().optional(),
      intervalSeconds: z.number().int().min(10).max(86_400).optional(),
    })
    .optional(),
  failureThreshold: writable.failureThreshold.optional(),
  recoveryThreshold: writable.recoveryThreshold.optional(),
  failureWindow: writable.failureWindow.nullable().optional(),
  credentialsExpireAt: writable.credentialsExpireAt.nullable().optional(),
  trafficExpectations: writable.trafficExpectations.nullable().optional(),
  dependsOn: writable.dependsOn.optional(),
});
export type UpdateIntegrationBody = z.infer<typeof UpdateIntegrationBody>;

/** Fields that hold an integration's credentials (secrets and the non-secret parts that go with them). */
export type CredentialField =
  | "apiKey"
  | "apiSecret"
  | "username"
  | "password"
  | "token"
  | "tokenUrl"
  | "clientId"
  | "clientSecret"
  | "scope";

/**
 * Which credential fields belong to each auth type: `required` ones the API refuses to go without
 * (checkIntegrationRules), `optional` ones it accepts. The one source for the config service's rules and the
 * dashboard's form; order is the form's order.
 */
export const AUTH_CREDENTIALS = {
  NONE: { required: [], optional: [] },
  API_KEY: { required: ["apiKey"], optional: ["apiSecret"] },
  BASIC_AUTH: { required: ["username", "password"], optional: [] },
  TOKEN: { required: ["token"], optional: [] },
  OAUTH: { required: ["tokenUrl", "clientId", "clientSecret"], optional: ["scope"] },
} as const satisfies Record<
  AuthType,
  { required: readonly CredentialField[]; optional: readonly CredentialField[] }
>;

/** The state a record must satisfy after a create or a merged update; checked by `checkIntegrationRules`. */
export interface IntegrationRuleInput {
  type: IntegrationType;
  authType: AuthType;
  endpoint?: string | null;
  webhookUrl?: string | null;
  tokenUrl?: string | null;
  /** Whether the record holds a value for a credential field (after the merge, for an update). */
  has: (field: CredentialField) => boolean;
}

/** Allowed endpoint URL schemes per integration type. */
export function allowedSchemes(type: IntegrationType): readonly string[] {
  switch (type) {
    case "HL7":
      return ["mllp:", "tcp:", "mllps:"];
    case "IMAGING_SYSTEM":
      return ["dicom:", "http:", "https:"];
    default:
      return ["http:", "https:"];
  }
}

function checkUrl(field: string, value: string, schemes: readonly string[]): FieldIssue | null {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return { field, rule: "url", message: `${field} must be an absolute URL` };
  }
  if (!schemes.includes(parsed.protocol)) {
    return {
      field,
      rule: "url_scheme",
      message: `${field} scheme must be one of ${schemes.map((s) => s.replace(":", "")).join(", ")}`,
    };
  }
  if (!parsed.hostname) return { field, rule: "url", message: `${field} must name a host` };
  if (parsed.username || parsed.password) {
    return {
      field,
      rule: "url_credentials",
      message: `${field} must not embed credentials; use the auth fields`,
    };
  }
  if (!["http:", "https:"].includes(parsed.protocol) && !parsed.port) {
    return { field, rule: "url_port", message: `${field} must include a port for ${parsed.protocol} URLs` };
  }
  return null;
}

/** Cross-field rules: URL schemes by type, and the credentials each auth type needs. */
export function checkIntegrationRules(input: IntegrationRuleInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (input.endpoint) {
    const issue = checkUrl("endpoint", input.endpoint, allowedSchemes(input.type));
    if (issue) issues.push(issue);
  }
  if (input.webhookUrl) {
    const issue = checkUrl("webhookUrl", input.webhookUrl, ["http:", "https:"]);
    if (issue) issues.push(issue);
  }
  if (input.tokenUrl) {
    const issue = checkUrl("tokenUrl", input.tokenUrl, ["http:", "https:"]);
    if (issue) issues.push(issue);
  }
  if (input.type === "WEBHOOK" && !input.webhookUrl && !input.endpoint) {
    issues.push({
      field: "webhookUrl",
      rule: "required",
      message: "webhookUrl is required for WEBHOOK integrations",
    });
  }
  for (const field of AUTH_CREDENTIALS[input.authType].required) {
    if (!input.has(field)) {
      issues.push({
        field,
        rule: "required",
        message: `${field} is required when authType is ${input.authType}`,
      });
    }
  }
  return issues;
}

/** How a stored secret is shown: never the value, only a mask of its last four characters and a presence flag. */
export const MaskedSecret = z.object({ set: z.boolean(), masked: z.string().nullable() });
export type MaskedSecret = z.infer<typeof MaskedSecret>;

/** The integration record as the REST API returns it. Secrets appear only masked. */
export const IntegrationView = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  name: z.string(),
  type: IntegrationType,
  provider: z.string().nullable(),
  description: z.string().nullable(),
  endpoint: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  authType: AuthType,
  username: z.string().nullable(),
  tokenUrl: z.string().nullable(),
  clientId: z.string().nullable(),
  scope: z.string().nullable(),
  apiKey: z.string().nullable().describe("masked, e.g. ****1234"),
  apiSecret: z.string().nullable(),
  password: z.string().nullable(),
  token: z.string().nullable(),
  clientSecret: z.string().nullable(),
  credentialsSet: z.object({
    apiKey: z.boolean(),
    apiSecret: z.boolean(),
    password: z.boolean(),
    token: z.boolean(),
    clientSecret: z.boolean(),
  }),
  status: IntegrationStatus,
  config: z.record(z.string(), z.unknown()).nullable(),
  headers: z.record(z.string(), z.string()).nullable().describe("secret-looking header values are masked"),
  timeout: z.number().int(),
  retryAttempts: z.number().int(),
  healthCheck: z.object({ enabled: z.boolean(), intervalSeconds: z.number().int() }),
  failureThreshold: z.number().int(),
  recoveryThreshold: z.number().int().describe("consecutive successes from ERROR back to ACTIVE"),
  failureWindow: z
    .object({ failures: z.number().int(), of: z.number().int() })
    .nullable()
    .describe("ERROR when `failures` of the last `of` checks failed"),
  credentialsExpireAt: z.iso.datetime().nullable().describe("when the credentials expire, if known"),
  /** Passive-health expectations (issue 14); null = traffic is recorded but not judged. */
  trafficExpectations: TrafficExpectations.nullable(),
  dependsOn: z.array(z.uuid()).describe("ids of the integrations this one depends on (same tenant)"),
  consecutiveFailures: z.number().int(),
  consecutiveSuccesses: z.number().int(),
  lastSyncedAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type IntegrationView = z.infer<typeof IntegrationView>;

export const SortField = z.enum(["name", "createdAt", "updatedAt", "type", "status"]);

export const ListIntegrationsQuery = z.strictObject({
  type: IntegrationType.optional(),
  status: IntegrationStatus.optional(),
  provider: z.string().max(200).optional(),
  q: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  sort: SortField.default("createdAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
});
export type ListIntegrationsQuery = z.infer<typeof ListIntegrationsQuery>;

export const IntegrationList = z.object({
  data: z.array(IntegrationView),
  nextCursor: z.string().nullable(),
});
export type IntegrationList = z.infer<typeof IntegrationList>;
