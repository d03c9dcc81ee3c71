import type { AuditEntryView, AuditList } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { type AuditRow, auditLog } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";

export function toAuditView(row: AuditRow): AuditEntryView {
  return {
    id: String(row.id),
    tenantId: row.tenantId,
    entityId: row.entityId,
    action: row.action,
    actor: row.actor,
    before: row.before,
    after: row.after,
    requestId: row.requestId,
    clientIp: row.clientIp,
    at: row.at.toISOString(),
  };
}

/**
 * Newest first. Entries outlive their record (a deleted integration keeps its trail); an id with no entries
 * in this tenant is a 404, so other tenants' ids stay invisible.
 */
export async function listAudit(
  deps: DomainDeps,
  tenantId: string,
  entityId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<AuditList> {
  const where: SQL[] = [eq(auditLog.tenantId, tenantId), eq(auditLog.entityId, entityId)];
  if (page.cursor !== undefined) {
    if (!/^\d{1,18}$/.test(page.cursor)) {
      throw DomainError.validation([{ field: "cursor", rule: "cursor", message: "cursor is invalid" }]);
    }
    where.push(lt(auditLog.id, Number(page.cursor)));
  }
  const rows = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.id))
      .limit(page.limit + 1),
  );
  if (rows.length === 0 && page.cursor === undefined) throw DomainError.notFound("Integration");
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  return {
    data: data.map(toAuditView),
    nextCursor: rows.length > page.limit && last ? String(last.id) : null,
  };
}
