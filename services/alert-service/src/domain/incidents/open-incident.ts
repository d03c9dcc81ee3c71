import { randomUUID } from "node:crypto";
import type { IncidentAnomaly, IncidentError, IncidentKind, MaintenanceMark } from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import { type IncidentRow, type IntegrationRow, incidents } from "../../db/schema.ts";
import { type DomainDeps, holdMs } from "../context.ts";
import { holdForParent, linkToParent, onParentOpened } from "../dependencies/dependencies.ts";
import { engageOnOpen } from "../deliveries/plan.ts";
import { enqueueIncidentEvent } from "../outbox/enqueue.ts";
import { appendTimeline, toSnapshot } from "./snapshot.ts";

/**
 * Opens an incident for an integration that turned ERROR, in the consumer's transaction. The insert does nothing
 * when the integration already has an unresolved incident or this event already opened one (unique indexes),
 * so redelivery and replay never open a second incident nor plan a second page. A status change older than
 * ALERT_NOTIFY_MAX_EVENT_AGE when applied (history read on a first start) opens the incident without notifying.
 */
export async function openIncident(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  args: {
    integration: Pick<IntegrationRow, "id" | "tenantId" | "name" | "type">;
    eventId: string;
    at: Date;
    error: IncidentError | null;
    /** Open without notifying (the reason goes on the timeline), e.g. `flapping`: that notice replaces it. */
    silent?: string;
    /** The maintenance window it opened in (docs/decisions/0512). */
    maintenance?: MaintenanceMark;
    /** Default STATUS; traffic anomalies open their own kind (apply-traffic-anomaly.ts). */
    kind?: IncidentKind;
    anomaly?: IncidentAnomaly;
    /**
     * Opens suppressed (give `silent` too): under the parent's open incident, or, with `parent: null`, waiting
     * the hold for one (docs/decisions/0514).
     */
    dependency?: { parent: IncidentRow | null };
  },
): Promise<IncidentRow | null> {
  const { integration } = args;
  const [row] = await tx
    .insert(incidents)
    .values({
      id: randomUUID(),
      tenantId: integration.tenantId,
      integrationId: integration.id,
      integrationName: integration.name,
      integrationType: integration.type,
      state: "open",
      openedAt: args.at,
      error: args.error,
      openedByEventId: args.eventId,
      maintenance: args.maintenance ?? null,
      kind: args.kind ?? "STATUS",
      anomaly: args.anomaly ?? null,
      suppressed: args.dependency !== undefined,
      parentIncidentId: args.dependency?.parent?.id ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  const ageMs = deps.clock().getTime() - args.at.getTime();
  const stale = ageMs > deps.notifyMaxEventAgeMs;
  const engaged = stale || args.silent ? { policies: [], deliveries: 0 } : await engageOnOpen(tx, row);
  if (args.dependency?.parent) await linkToParent(tx, row, args.dependency.parent, args.at);
  else if (args.dependency) await holdForParent(tx, row, holdMs(deps));
  // A parent that paged: dependents failing within the hold get one digest after it (not one page each).
  if (!stale && !args.silent) await onParentOpened(tx, row, holdMs(deps));
  await appendTimeline(tx, {
    tenantId: row.tenantId,
    incidentId: row.id,
    kind: "opened",
    actor: "system",
    at: args.at,
    data: {
      error: args.error,
      causationId: args.eventId,
      statusChangedAt: args.at.toISOString(),
      policies: engaged.policies,
      deliveries: engaged.deliveries,
      ...(stale
        ? { notified: false, reason: `status change was ${Math.round(ageMs / 1000)} s old when applied` }
        : args.silent
          ? { notified: false, reason: args.silent }
          : {}),
    },
  });
  await enqueueIncidentEvent(tx, {
    topic: deps.topics.incident,
    type: "incident.opened",
    tenantId: row.tenantId,
    integrationId: row.integrationId,
    data: { incident: toSnapshot(row), causationId: args.eventId },
  });
  return row;
}
