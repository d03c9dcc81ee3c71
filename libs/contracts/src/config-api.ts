import { z } from "zod";
import { IntegrationView } from "./integration.ts";
import { ConnectionTestView } from "./probe.ts";

/** REST shapes of the config service beyond the integration bodies (integration.ts). */

export const IntegrationIdParams = z.strictObject({ id: z.uuid() });
export type IntegrationIdParams = z.infer<typeof IntegrationIdParams>;

export const TestIdParams = z.strictObject({ id: z.uuid(), testId: z.uuid() });
export type TestIdParams = z.infer<typeof TestIdParams>;

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type PageQuery = z.infer<typeof PageQuery>;

export const ConnectionTestList = z.object({
  data: z.array(ConnectionTestView),
  nextCursor: z.string().nullable(),
});
export type ConnectionTestList = z.infer<typeof ConnectionTestList>;

export const AuditAction = z.enum([
  "create",
  "update",
  "delete",
  "status_change",
  "test",
  "credential_rotation",
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** One audit entry. `before`/`after` are record states with every secret replaced by "[REDACTED]". */
export const AuditEntryView = z.object({
  id: z.string(),
  tenantId: z.string(),
  entityId: z.uuid(),
  action: AuditAction,
  actor: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  requestId: z.string().nullable(),
  clientIp: z.string().nullable(),
  at: z.iso.datetime(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditList = z.object({ data: z.array(AuditEntryView), nextCursor: z.string().nullable() });
export type AuditList = z.infer<typeof AuditList>;

/**
 * One exported record: shaped like CreateIntegrationBody (so it can be re-imported) without any secret.
 * `secretsOmitted` names the secret fields and secret headers that were set and must be re-entered.
 */
export const ExportedIntegration = IntegrationView.pick({
  id: true,
  name: true,
  type: true,
  provider: true,
  description: true,
  endpoint: true,
  webhookUrl: true,
  authType: true,
  username: true,
  tokenUrl: true,
  clientId: true,
  scope: true,
  status: true,
  config: true,
  headers: true,
  timeout: true,
  retryAttempts: true,
  healthCheck: true,
  failureThreshold: true,
  recoveryThreshold: true,
  failureWindow: true,
  credentialsExpireAt: true,
  trafficExpectations: true,
  dependsOn: true,
  version: true,
}).extend({ secretsOmitted: z.array(z.string()) });
export type ExportedIntegration = z.infer<typeof ExportedIntegration>;

export const IntegrationExport = z.object({
  exportedAt: z.iso.datetime(),
  tenantId: z.string(),
  count: z.number().int(),
  data: z.array(ExportedIntegration),
});
export type IntegrationExport = z.infer<typeof IntegrationExport>;

export const ScheduleQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(500),
  cursor: z.uuid().optional(),
});
export type ScheduleQuery = z.infer<typeof ScheduleQuery>;
