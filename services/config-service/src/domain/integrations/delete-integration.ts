import { eq } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { enqueueEvents } from "../outbox/enqueue.ts";
import { checkIfMatch, lockIntegration } from "./shared.ts";
import { toAuditState } from "./view.ts";

/** Deletes the record (its tests cascade); the audit trail and the `integration.deleted` event remain. */
export async function deleteIntegration(args: {
  deps: DomainDeps;
  actor: Actor;
  id: string;
  ifMatch?: number | undefined;
}): Promise<IntegrationRow> {
  const { deps, actor, id, ifMatch } = args;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockIntegration(tx, actor.tenantId, id);
    checkIfMatch(row, ifMatch);
    const now = new Date();
    await tx.delete(integrations).where(eq(integrations.id, row.id));
    await enqueueEvents(
      tx,
      [
        {
          topic: deps.topics.config,
          type: "integration.deleted",
          tenantId: row.tenantId,
          integrationId: row.id,
          sequence: row.eventSeq + 1,
          data: {
            integrationId: row.id,
            name: row.name,
            integrationType: row.type,
            version: row.version + 1,
            actor: actor.sub,
          },
        },
      ],
      now,
    );
    await appendAudit(
      tx,
      {
        tenantId: row.tenantId,
        entityId: row.id,
        action: "delete",
        actor: actor.sub,
        before: toAuditState(row),
        after: null,
        requestId: actor.requestId,
        clientIp: actor.ip,
      },
      now,
    );
    return row;
  });
}
