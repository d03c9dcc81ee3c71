import type { ExportedIntegration, IntegrationExport } from "@hip/contracts";
import type { IntegrationRow } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { iterateIntegrations } from "./read-integrations.ts";
import { connectionFields, credentialsSet, publicFields, storedHeaders } from "./view.ts";

/** A re-importable copy of a record with no secret: no values, no masks; omitted secrets are named. */
export function toExported(row: IntegrationRow): ExportedIntegration {
  const omitted = Object.entries(credentialsSet(row))
    .filter(([, set]) => set)
    .map(([field]) => field);
  const { plain, legacySecret } = storedHeaders(row);
  for (const name of [...Object.keys(row.secretMasks.headers), ...Object.keys(legacySecret)]) {
    omitted.push(`headers.${name}`);
  }
  return {
    ...publicFields(row),
    ...connectionFields(row),
    // Plain headers only: secret header values are neither exported nor masked, just named in secretsOmitted.
    headers: row.headers ? plain : null,
    secretsOmitted: omitted,
  };
}

export async function exportIntegrations(deps: DomainDeps, tenantId: string): Promise<IntegrationExport> {
  const data: ExportedIntegration[] = [];
  for await (const page of iterateIntegrations(deps, tenantId)) {
    for (const row of page) data.push(toExported(row));
  }
  return { exportedAt: new Date().toISOString(), tenantId, count: data.length, data };
}
