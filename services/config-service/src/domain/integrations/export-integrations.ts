import type { ExportedIntegration, IntegrationExport } from "@hip/contracts";
import type { IntegrationRow } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { iterateIntegrations } from "./read-integrations.ts";
import { credentialsSet } from "./view.ts";

/** A re-importable copy of a record with no secret: no values, no masks; omitted secrets are named. */
export function toExported(row: IntegrationRow): ExportedIntegration {
  const omitted = Object.entries(credentialsSet(row))
    .filter(([, set]) => set)
    .map(([field]) => field);
  for (const name of Object.keys(row.secretMasks.headers)) omitted.push(`headers.${name}`);
  return {
    id: row.id,
    name: row.name,
    type: row.type as ExportedIntegration["type"],
    provider: row.provider,
    description: row.description,
    endpoint: row.endpoint,
    webhookUrl: row.webhookUrl,
    authType: row.authType as ExportedIntegration["authType"],
    username: row.username,
    tokenUrl: row.tokenUrl,
    clientId: row.clientId,
    scope: row.scope,
    status: row.status as ExportedIntegration["status"],
    config: row.config,
    headers: row.headers,
    timeout: row.timeout,
    retryAttempts: row.retryAttempts,
    healthCheck: { enabled: row.healthEnabled, intervalSeconds: row.healthIntervalSeconds },
    failureThreshold: row.failureThreshold,
    secretsOmitted: omitted,
    version: row.version,
  };
}

export async function exportIntegrations(deps: DomainDeps, tenantId: string): Promise<IntegrationExport> {
  const data: ExportedIntegration[] = [];
  for await (const page of iterateIntegrations(deps, tenantId)) {
    for (const row of page) data.push(toExported(row));
  }
  return { exportedAt: new Date().toISOString(), tenantId, count: data.length, data };
}
