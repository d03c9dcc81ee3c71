import type { ConnectionSpec, ConnectionSpecBatch, ScheduleList } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { asc, eq, gt, inArray } from "drizzle-orm";
import { withSystem } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { toScheduleEntry } from "../integrations/view.ts";
import { openSecrets } from "../secrets/seal.ts";

/** The decrypted connection spec for the probe worker. Never logged, never put in an event. */
export async function getConnectionSpec(deps: DomainDeps, id: string): Promise<ConnectionSpec> {
  const [row] = await withSystem(deps.db, (tx) =>
    tx.select().from(integrations).where(eq(integrations.id, id)),
  );
  if (!row) throw DomainError.notFound("Integration");
  return toConnectionSpec(deps, row);
}

/** Up to CONNECTION_SPEC_BATCH_MAX decrypted specs in one query (the probe worker's batched cache misses). */
export async function getConnectionSpecs(deps: DomainDeps, ids: string[]): Promise<ConnectionSpecBatch> {
  const unique = [...new Set(ids)];
  const rows = await withSystem(deps.db, (tx) =>
    tx.select().from(integrations).where(inArray(integrations.id, unique)),
  );
  const found = new Set(rows.map((r) => r.id));
  return {
    data: rows.map((row) => toConnectionSpec(deps, row)),
    missing: unique.filter((id) => !found.has(id)),
  };
}

function toConnectionSpec(deps: DomainDeps, row: IntegrationRow): ConnectionSpec {
  const { fields, secretHeaders } = openSecrets(deps.ring, row);
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    type: row.type,
    status: row.status,
    endpoint: row.endpoint,
    webhookUrl: row.webhookUrl,
    authType: row.authType,
    ...fields,
    username: row.username,
    tokenUrl: row.tokenUrl,
    clientId: row.clientId,
    scope: row.scope,
    headers: { ...(row.headers ?? {}), ...secretHeaders },
    config: row.config ?? {},
    timeout: row.timeout,
    retryAttempts: row.retryAttempts,
    healthCheck: { enabled: row.healthEnabled, intervalSeconds: row.healthIntervalSeconds },
    version: row.version,
  };
}

/** Every tenant's schedule settings in id order, for the probe worker's schedule resync. */
export async function listSchedules(
  deps: DomainDeps,
  page: { limit: number; cursor?: string | undefined },
): Promise<ScheduleList> {
  const rows = await withSystem(deps.db, (tx) =>
    tx
      .select()
      .from(integrations)
      .where(page.cursor ? gt(integrations.id, page.cursor) : undefined)
      .orderBy(asc(integrations.id))
      .limit(page.limit + 1),
  );
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return { data: data.map(toScheduleEntry), nextCursor: rows.length > page.limit && last ? last.id : null };
}
