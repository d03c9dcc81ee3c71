import { randomUUID } from "node:crypto";
import {
  cloudEvent,
  EVENT_SOURCES,
  EVENT_TOPIC,
  type EventData,
  type EventType,
  type TopicNames,
} from "@hip/contracts";
import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { outbox } from "../../db/schema.ts";

export const OUTBOX_CHANNEL = "config_outbox";

/** One event to publish: its `data` is the contract's data for type T, so payloads are checked at compile time. */
export interface PendingEvent<T extends EventType = EventType> {
  type: T;
  tenantId: string;
  integrationId: string;
  /** The integration's event_seq value for this event (bumped in the same transaction). */
  sequence: number;
  data: EventData<T>;
  /** W3C trace context of the work that caused the event (CloudEvents distributed-tracing extension). */
  traceparent?: string | undefined;
}

/** A PendingEvent of any type, with its data matching its type (a union, not a union of fields). */
export type AnyPendingEvent = { [T in EventType]: PendingEvent<T> }[EventType];

/**
 * Writes events into the outbox inside the caller's transaction (never a dual write) and wakes the relays:
 * NOTIFY is delivered only when the transaction commits. The outbox row id becomes the CloudEvent id; the topic
 * follows from the event type (EVENT_TOPIC).
 */
export async function enqueueEvents(
  tx: Tx,
  topics: TopicNames,
  events: AnyPendingEvent[],
  now = new Date(),
): Promise<string[]> {
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
      traceparent: e.traceparent,
    });
    return {
      id,
      tenantId: e.tenantId,
      integrationId: e.integrationId,
      sequence: e.sequence,
      topic: topics[EVENT_TOPIC[e.type]],
      eventType: e.type,
      payload,
      createdAt: now,
    };
  });
  await tx.insert(outbox).values(rows);
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
  return rows.map((r) => r.id);
}
