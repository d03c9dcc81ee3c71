import { z } from "zod";
import { AuthType, IntegrationStatus, IntegrationType } from "./enums.ts";

export const ProbeKind = z.enum(["http", "fhir", "hl7-mllp", "dicom", "dicomweb", "webhook", "tcp"]);
export type ProbeKind = z.infer<typeof ProbeKind>;

export const ProbeStage = z.enum(["dns", "connect", "tls", "auth", "protocol", "application", "timeout"]);
export type ProbeStage = z.infer<typeof ProbeStage>;

export const ProbeTrigger = z.enum(["manual", "scheduled"]);
export type ProbeTrigger = z.infer<typeof ProbeTrigger>;

export const PhaseTimings = z.object({
  dnsMs: z.number().nonnegative().nullable(),
  connectMs: z.number().nonnegative().nullable(),
  tlsMs: z.number().nonnegative().nullable(),
  firstByteMs: z.number().nonnegative().nullable(),
  totalMs: z.number().nonnegative(),
});
export type PhaseTimings = z.infer<typeof PhaseTimings>;

export const TlsCertificateInfo = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  daysRemaining: z.number().int(),
  protocol: z.string().nullable(),
  authorized: z.boolean(),
  /** SHA-256 fingerprint of the leaf (`AB:CD:…`); expiry notices are per certificate (absent on older events). */
  fingerprint256: z.string().nullable().default(null),
});
export type TlsCertificateInfo = z.infer<typeof TlsCertificateInfo>;

export const ProbeError = z.object({
  code: z.string().min(1).max(64),
  message: z.string().max(2000),
  stage: ProbeStage,
});
export type ProbeError = z.infer<typeof ProbeError>;

/** The outcome of one connection test or health check (all attempts included). Never carries a secret. */
export const ProbeResult = z.object({
  integrationId: z.uuid(),
  tenantId: z.string(),
  testId: z.uuid().nullable(),
  trigger: ProbeTrigger,
  integrationType: IntegrationType,
  probe: ProbeKind,
  success: z.boolean(),
  latencyMs: z.number().nonnegative(),
  timings: PhaseTimings,
  tls: TlsCertificateInfo.nullable(),
  error: ProbeError.nullable(),
  /** Protocol facts: HL7 ACK code and control id, FHIR version and software, DICOM association result, HTTP status. */
  diagnostics: z.record(z.string(), z.unknown()),
  attempts: z.number().int().min(1),
  /** When the check was due (scheduled checks); used to measure schedule drift. */
  scheduledAt: z.iso.datetime().nullable(),
  checkedAt: z.iso.datetime(),
});
export type ProbeResult = z.infer<typeof ProbeResult>;

/**
 * The decrypted connection spec, served only to the probe worker by the config service's internal endpoint
 * (`GET /internal/integrations/:id/connection-spec`, service token). Must never be logged, cached on disk or
 * put in an event.
 */
export const ConnectionSpec = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  name: z.string(),
  type: IntegrationType,
  status: IntegrationStatus,
  endpoint: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  authType: AuthType,
  apiKey: z.string().nullable(),
  apiSecret: z.string().nullable(),
  username: z.string().nullable(),
  password: z.string().nullable(),
  token: z.string().nullable(),
  tokenUrl: z.string().nullable(),
  clientId: z.string().nullable(),
  clientSecret: z.string().nullable(),
  scope: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  config: z.record(z.string(), z.unknown()),
  timeout: z.number().int(),
  retryAttempts: z.number().int(),
  healthCheck: z.object({ enabled: z.boolean(), intervalSeconds: z.number().int() }),
  version: z.number().int(),
});
export type ConnectionSpec = z.infer<typeof ConnectionSpec>;

/** Most connection specs one batch request may ask for. */
export const CONNECTION_SPEC_BATCH_MAX = 500;

/**
 * `POST /internal/integrations/connection-specs` (service token): the decrypted specs of up to 500 integrations in
 * one call (the probe worker's cache misses, gathered for a few milliseconds). Ids that do not exist are listed in
 * `missing`; the answer has each other id exactly once.
 */
export const ConnectionSpecBatchRequest = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(CONNECTION_SPEC_BATCH_MAX),
});
export type ConnectionSpecBatchRequest = z.infer<typeof ConnectionSpecBatchRequest>;

export const ConnectionSpecBatch = z.object({ data: z.array(ConnectionSpec), missing: z.array(z.uuid()) });
export type ConnectionSpecBatch = z.infer<typeof ConnectionSpecBatch>;

/** One row of the schedule resync listing (`GET /internal/integrations/schedules`). */
export const ScheduleEntry = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  type: IntegrationType,
  status: IntegrationStatus,
  healthCheck: z.object({ enabled: z.boolean(), intervalSeconds: z.number().int() }),
  version: z.number().int(),
});
export type ScheduleEntry = z.infer<typeof ScheduleEntry>;

export const ScheduleList = z.object({ data: z.array(ScheduleEntry), nextCursor: z.string().nullable() });
export type ScheduleList = z.infer<typeof ScheduleList>;

/** Stored connection test, as `GET /configs/:id/tests/:testId` returns it. */
export const ConnectionTestView = z.object({
  id: z.uuid(),
  integrationId: z.uuid(),
  status: z.enum(["PENDING", "SUCCEEDED", "FAILED"]),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  result: ProbeResult.nullable(),
});
export type ConnectionTestView = z.infer<typeof ConnectionTestView>;
