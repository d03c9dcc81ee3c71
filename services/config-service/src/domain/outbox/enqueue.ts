import { randomUUID } from "node:crypto";
import { cloudEvent, EVENT_SOURCES, type EventType } from "@hip/contracts";
import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { outbox } from "../../db/schema.ts";

export const OUTBOX_CHANNEL = "config_outbox";

export interface PendingEvent {
  topic: string;
  type: EventType;
  tenantId: string;
  integrationId: string;
  /** The integration's event_seq value for this event (bumped in the same transaction). */
  sequence: number;
  data: unknown;
}

/**
 * Writes events into the outbox inside the caller's transaction (never a dual write) and wakes the relays:
 * NOTIFY is delivered only when the transaction commits. The outbox row id becomes the CloudEvent id.
 */
export async function enqueueEvents(tx: Tx, events: PendingEvent[], now = new Date()): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((e) => {
    const id = randomUUID();
    const payload = cloudEvent({
      id,
      type: e.type,
      source: EVENT_SOURCES.configService,
      subject: e.integrationId,
      tenantId: e.tenantId,
      sequence: e.sequence,
      data: e.data,
      time: now,
    });
    return {
      id,
      tenantId: e.tenantId,
      integrationId: e.integrationId,
      sequence: e.sequence,
      topic: e.topic,
      eventType: e.type,
      payload: payload as unknown as Record<string, unknown>,
      createdAt: now,
    };
  });
  await tx.insert(outbox).values(rows);
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
  return rows.map((r) => r.id);
}
