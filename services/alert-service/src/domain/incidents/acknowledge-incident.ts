import { DomainError } from "@hip/service-kit";
import { and, eq } from "drizzle-orm";
import { type Db, withTenant } from "../../db/client.ts";
import { type IncidentRow, incidents } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { cancelReminders, engageFollowUp } from "../deliveries/plan.ts";
import { enqueueIncidentEvent } from "../outbox/enqueue.ts";
import { appendTimeline, toSnapshot, toView } from "./snapshot.ts";

/**
 * An admin acknowledges: reminders and escalation stop, PagerDuty/webhook channels hear about it, the ack is
 * audited and emitted. Acknowledging twice is a no-op (200, no second event); a resolved incident is 409.
 */
export async function acknowledgeIncident(args: {
  deps: Pick<DomainDeps, "db" | "topics">;
  actor: Actor;
  id: string;
  note?: string | undefined;
}): Promise<IncidentRow> {
  const { actor } = args;
  const db: Db = args.deps.db;
  return withTenant(db, actor.tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(incidents)
      .where(and(eq(incidents.id, args.id), eq(incidents.tenantId, actor.tenantId)))
      .for("update");
    if (!row) throw DomainError.notFound("Incident");
    if (row.state === "resolved") {
      throw new DomainError("CONFLICT", "Incident is already resolved", {
        details: [
          { field: "state", rule: "not_resolved", message: "a resolved incident cannot be acknowledged" },
        ],
      });
    }
    if (row.state === "acknowledged") return row;
    const now = new Date();
    const [updated] = await tx
      .update(incidents)
      .set({ state: "acknowledged", acknowledgedAt: now, acknowledgedBy: actor.sub })
      .where(eq(incidents.id, row.id))
      .returning();
    if (!updated) throw DomainError.notFound("Incident");
    await cancelReminders(tx, row.id, { all: false });
    await appendTimeline(tx, {
      tenantId: row.tenantId,
      incidentId: row.id,
      kind: "acknowledged",
      actor: actor.sub,
      at: now,
      data: { note: args.note ?? null },
    });
    await engageFollowUp(tx, updated, "acknowledged", now);
    await enqueueIncidentEvent(tx, {
      topic: args.deps.topics.incident,
      type: "incident.acknowledged",
      tenantId: row.tenantId,
      integrationId: row.integrationId,
      data: { incident: toSnapshot(updated), actor: actor.sub },
    });
    await appendAudit(tx, actor, {
      entityType: "incident",
      entityId: row.id,
      action: "acknowledge",
      before: toView(row, now),
      after: { ...toView(updated, now), note: args.note ?? null },
    });
    return updated;
  });
}
