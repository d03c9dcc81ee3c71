import type { EventData, EventType, TopicNames } from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import type { IntegrationRow } from "../../db/schema.ts";
import { type AuditEntryInput, appendAudit } from "../audit/append.ts";
import type { Actor } from "../context.ts";
import { type AnyPendingEvent, enqueueEvents } from "../outbox/enqueue.ts";

/** An event of a change; its data is built from the row as the change left it. */
export interface ChangeEvent<T extends EventType = EventType> {
  type: T;
  data: (after: IntegrationRow) => EventData<T>;
}
type AnyChangeEvent = { [T in EventType]: ChangeEvent<T> }[EventType];

/** The audit entry of a change, minus what the row already says (tenant, entity). */
export type ChangeAudit = Omit<AuditEntryInput, "tenantId" | "entityId">;

export interface Change {
  topics: TopicNames;
  /** The locked row before the change; null for a new record (its events start at sequence 1). */
  before: IntegrationRow | null;
  /**
   * Writes the row (insert, update or delete) with `event_seq = eventSeq` and returns it as the change left it
   * (a deleted row: as it was).
   */
  write: (eventSeq: number) => Promise<IntegrationRow>;
  events: AnyChangeEvent[];
  audit: ((after: IntegrationRow) => ChangeAudit) | null;
  now: Date;
  /** Trace context the change's events carry (the request's span, or the consumer's span applying an event). */
  traceparent?: string | undefined;
}

/**
 * Commits one change of an integration in the caller's transaction: the row write, its events in the outbox and
 * its audit entry. The only place that assigns event sequences: the i-th event gets `before.event_seq + i`, and
 * the row's event_seq moves to the last one, so one integration's sequences are strictly increasing in commit
 * order (the row lock serializes writers).
 */
export async function appendChange(tx: Tx, change: Change): Promise<IntegrationRow> {
  const base = change.before?.eventSeq ?? 0;
  const after = await change.write(base + change.events.length);
  // `as`: map() loses the link between each event's type and its data that ChangeEvent<T> guaranteed.
  const pending = change.events.map(
    (event, i) =>
      ({
        type: event.type,
        tenantId: after.tenantId,
        integrationId: after.id,
        sequence: base + i + 1,
        data: event.data(after),
        traceparent: change.traceparent,
      }) as AnyPendingEvent,
  );
  await enqueueEvents(tx, change.topics, pending, change.now);
  if (change.audit) {
    await appendAudit(
      tx,
      { tenantId: after.tenantId, entityId: after.id, ...change.audit(after) },
      change.now,
    );
  }
  return after;
}

/** Who to write in the audit entry of a change made by a user request. */
export function auditedBy(actor: Actor): Pick<ChangeAudit, "actor" | "requestId" | "clientIp"> {
  return { actor: actor.sub, requestId: actor.requestId, clientIp: actor.ip };
}
