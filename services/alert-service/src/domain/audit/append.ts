import type { Tx } from "../../db/client.ts";
import { auditLog } from "../../db/schema.ts";
import type { Actor } from "../context.ts";

export type AuditEntity = "channel" | "policy" | "incident" | "maintenance";
export type AuditAction = "create" | "update" | "delete" | "acknowledge";

/**
 * Appends in the caller's transaction, so an audited change and its entry commit or fail together. `before` and
 * `after` are views (channel secrets as masks), never a secret.
 */
export async function appendAudit(
  tx: Tx,
  actor: Actor,
  entry: {
    entityType: AuditEntity;
    entityId: string;
    action: AuditAction;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  },
  at = new Date(),
): Promise<void> {
  await tx.insert(auditLog).values({
    tenantId: actor.tenantId,
    entityType: entry.entityType,
    entityId: entry.entityId,
    action: entry.action,
    actor: actor.sub,
    before: entry.before,
    after: entry.after,
    requestId: actor.requestId,
    clientIp: actor.ip,
    at,
  });
}
