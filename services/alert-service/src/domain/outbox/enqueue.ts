import { randomUUID } from "node:crypto";
import { cloudEvent, EVENT_SOURCES, type IncidentEvent } from "@hip/contracts";
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { integrations, outbox } from "../../db/schema.ts";
import { notifyOnce } from "../deliveries/plan.ts";

export const OUTBOX_CHANNEL = "alerts_outbox";
export const OUTBOX_TABLE = "alerts.outbox";
/** Advisory-lock namespace of this service's relay (config-service uses 7001). */
export const OUTBOX_LOCK_KEY = 7005;

export interface PendingIncidentEvent {
  topic: string;
  type: IncidentEvent["type"];
  tenantId: string;
  integrationId: string;
  data: IncidentEvent["data"];
}

/**
 * Writes an incident event into the outbox inside the caller's transaction (never a dual write). The `sequence`
 * is the integration's `incident_seq`, bumped here under the row lock, so one integration's incident events are
 * strictly increasing in commit order. NOTIFY wakes the relays at commit.
 */
export async function enqueueIncidentEvent(
  tx: Tx,
  e: PendingIncidentEvent,
  now = new Date(),
): Promise<string> {
  const [row] = await tx
    .update(integrations)
    .set({ incidentSeq: sql`${integrations.incidentSeq} + 1` })
    .where(eq(integrations.id, e.integrationId))
    .returning({ seq: integrations.incidentSeq });
  if (!row) throw new Error(`no projection row for integration ${e.integrationId}`);
  const id = randomUUID();
  const payload = cloudEvent({
    id,
    type: e.type,
    source: EVENT_SOURCES.alertService,
    subject: e.integrationId,
    tenantId: e.tenantId,
    sequence: row.seq,
    data: e.data,
    time: now,
  });
  await tx.insert(outbox).values({
    id,
    tenantId: e.tenantId,
    integrationId: e.integrationId,
    sequence: row.seq,
    topic: e.topic,
    eventType: e.type,
    payload: payload as unknown as Record<string, unknown>,
    createdAt: now,
  });
  await notifyOnce(tx, OUTBOX_CHANNEL);
  return id;
}
