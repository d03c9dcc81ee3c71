import { eq } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { appendChange, auditedBy } from "./append-change.ts";
import { dropFromDependents, lockDependencyGraph } from "./depends-on.ts";
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
    await lockDependencyGraph(tx, actor.tenantId);
    const row = await lockIntegration(tx, actor.tenantId, id);
    checkIfMatch(row, ifMatch);
    return appendChange(tx, {
      traceparent: actor.traceparent,
      topics: deps.topics,
      before: row,
      write: async () => {
        await tx.delete(integrations).where(eq(integrations.id, row.id));
        await dropFromDependents(tx, row.tenantId, row.id);
        return row;
      },
      events: [
        {
          type: "integration.deleted",
          data: () => ({
            integrationId: row.id,
            name: row.name,
            integrationType: row.type,
            version: row.version + 1,
            actor: actor.sub,
          }),
        },
      ],
      audit: () => ({ action: "delete", before: toAuditState(row), after: null, ...auditedBy(actor) }),
      now: new Date(),
    });
  });
}
