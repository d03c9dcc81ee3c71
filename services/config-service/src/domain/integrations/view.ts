import type { ConnectionTestView, IntegrationSnapshot, IntegrationView, ScheduleEntry } from "@hip/contracts";
import { isSecretHeaderName } from "@hip/contracts";
import { maskSecret } from "@hip/secrets";
import type { ConnectionTestRow, IntegrationRow } from "../../db/schema.ts";

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function credentialsSet(row: IntegrationRow): IntegrationView["credentialsSet"] {
  return {
    apiKey: row.apiKeyEnc !== null,
    apiSecret: row.apiSecretEnc !== null,
    password: row.passwordEnc !== null,
    token: row.tokenEnc !== null,
    clientSecret: row.clientSecretEnc !== null,
  };
}

/**
 * The plain `headers` column split by today's secret-header rule: a row written before the rule covered a name
 * (e.g. `X-Authorization`) still holds that value in plain text until its headers are next written, and must
 * not show it meanwhile.
 */
export function storedHeaders(row: IntegrationRow): {
  plain: Record<string, string>;
  legacySecret: Record<string, string>;
} {
  const plain: Record<string, string> = {};
  const legacySecret: Record<string, string> = {};
  for (const [name, value] of Object.entries(row.headers ?? {})) {
    if (isSecretHeaderName(name)) legacySecret[name] = value;
    else plain[name] = value;
  }
  return { plain, legacySecret };
}

function headersView(row: IntegrationRow): Record<string, string> | null {
  const secret = row.secretMasks.headers;
  if (!row.headers && Object.keys(secret).length === 0) return null;
  const { plain, legacySecret } = storedHeaders(row);
  const legacyMasks = Object.fromEntries(Object.entries(legacySecret).map(([n, v]) => [n, maskSecret(v)]));
  return { ...plain, ...legacyMasks, ...secret };
}

/** Non-secret configuration shared by the REST view, the event snapshot and the export. */
export function publicFields(row: IntegrationRow) {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    provider: row.provider,
    description: row.description,
    endpoint: row.endpoint,
    webhookUrl: row.webhookUrl,
    authType: row.authType,
    status: row.status,
    timeout: row.timeout,
    retryAttempts: row.retryAttempts,
    healthCheck: { enabled: row.healthEnabled, intervalSeconds: row.healthIntervalSeconds },
    failureThreshold: row.failureThreshold,
    recoveryThreshold: row.recoveryThreshold,
    failureWindow: row.failureWindow ?? null,
    credentialsExpireAt: row.credentialsExpireAt?.toISOString() ?? null,
    trafficExpectations: row.trafficExpectations ?? null,
    dependsOn: row.dependsOn ?? [],
    version: row.version,
  };
}

/** Connection settings that are not secret (username, OAuth client id...): in the REST view and the export. */
export function connectionFields(row: IntegrationRow) {
  return {
    username: row.username,
    tokenUrl: row.tokenUrl,
    clientId: row.clientId,
    scope: row.scope,
    config: row.config,
  };
}

/** The REST view: secrets only as masks ("****1234") plus presence flags. */
export function toView(row: IntegrationRow): IntegrationView {
  const m = row.secretMasks.fields;
  return {
    ...publicFields(row),
    ...connectionFields(row),
    tenantId: row.tenantId,
    apiKey: row.apiKeyEnc ? (m.apiKey ?? "****") : null,
    apiSecret: row.apiSecretEnc ? (m.apiSecret ?? "****") : null,
    password: row.passwordEnc ? (m.password ?? "****") : null,
    token: row.tokenEnc ? (m.token ?? "****") : null,
    clientSecret: row.clientSecretEnc ? (m.clientSecret ?? "****") : null,
    credentialsSet: credentialsSet(row),
    headers: headersView(row),
    consecutiveFailures: row.consecutiveFailures,
    consecutiveSuccesses: row.consecutiveSuccesses,
    lastSyncedAt: iso(row.lastSyncedAt),
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Event snapshot: presence flags and header names only, never values or masks. */
export function toSnapshot(row: IntegrationRow): IntegrationSnapshot {
  return {
    ...publicFields(row),
    tenantId: row.tenantId,
    credentialsSet: credentialsSet(row),
    headerNames: [...Object.keys(row.headers ?? {}), ...Object.keys(row.secretMasks.headers)],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Audit before/after: the view with every secret (and its mask) replaced by "[REDACTED]". */
export function toAuditState(row: IntegrationRow): Record<string, unknown> {
  const view = toView(row);
  const redact = (v: string | null) => (v === null ? null : "[REDACTED]");
  const headers = { ...(row.headers ?? {}) };
  for (const name of Object.keys(row.secretMasks.headers)) headers[name] = "[REDACTED]";
  return {
    ...view,
    apiKey: redact(view.apiKey),
    apiSecret: redact(view.apiSecret),
    password: redact(view.password),
    token: redact(view.token),
    clientSecret: redact(view.clientSecret),
    headers: view.headers === null ? null : headers,
  };
}

export function toScheduleEntry(row: IntegrationRow): ScheduleEntry {
  return {
    id: row.id,
    tenantId: row.tenantId,
    type: row.type,
    status: row.status,
    healthCheck: { enabled: row.healthEnabled, intervalSeconds: row.healthIntervalSeconds },
    version: row.version,
  };
}

export function toTestView(row: ConnectionTestRow): ConnectionTestView {
  return {
    id: row.id,
    integrationId: row.integrationId,
    status: row.status,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt.toISOString(),
    completedAt: iso(row.completedAt),
    result: row.result,
  };
}
