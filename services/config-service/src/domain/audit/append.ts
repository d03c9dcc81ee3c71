import type { AuditAction } from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import { auditLog } from "../../db/schema.ts";

export interface AuditEntryInput {
  tenantId: string;
  entityId: string;
  action: AuditAction;
  actor: string;
  /** Already redacted states (toAuditState): never a secret or a mask. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  clientIp: string | null;
}

/** Appends in the caller's transaction, so an audited change and its entry commit or fail together. */
export async function appendAudit(tx: Tx, entry: AuditEntryInput, at = new Date()): Promise<void> {
  await tx.insert(auditLog).values({ ...entry, at });
}
