import {
  type AnyEvent,
  AnyEvent as AnyEventSchema,
  STATUS_STATE_EVENT_TYPES,
  topicNames,
} from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type pg from "pg";
import { z } from "zod";
import { applySnapshotBatch } from "./apply-snapshot-batch.ts";

export function snapshotGroupId(prefix: string): string {
  return `${prefix}stats-service.status-snapshot`;
}

/**
 * Never fails to parse: malformed events are the projection consumer's to dead-letter (once). This consumer only
 * needs every message's offset, so that the recorded position moves past it, and parses only the event types that
 * change a status (probe results, the bulk of the status topic, are recognised by `type` and skipped).
 */
const Lenient = z.unknown();

function relevant(raw: unknown): AnyEvent | null {
  const type = (raw as { type?: unknown } | null)?.type;
  if (typeof type !== "string" || !STATUS_STATE_EVENT_TYPES.has(type as AnyEvent["type"])) return null;
  const parsed = AnyEventSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/**
 * Projects config, status and incident topics into `stats.status_snapshot` with its own group. Each fetched batch
 * is applied with its partition's next offset in one transaction (see applySnapshotBatch).
 */
export async function createSnapshotConsumer(o: {
  bus: EventBus;
  pool: pg.Pool;
  topicPrefix: string;
  onApplied?: (info: { topic: string; changed: number }) => void;
}): Promise<EventConsumer<typeof Lenient>> {
  const topics = topicNames(o.topicPrefix);
  return o.bus.consumer({
    groupId: snapshotGroupId(o.topicPrefix),
    topics: [topics.config, topics.status, topics.incident],
    schema: Lenient,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    partitionsConsumedConcurrently: 2,
    // A transaction per batch (the offsets move even when every event is a skipped probe result): few large ones.
    fetchMinBytes: 256 * 1024,
    fetchMaxWaitMs: 300,
    handleBatch: async (items) => {
      const last = items.at(-1);
      if (!last) return;
      const events: AnyEvent[] = [];
      for (const i of items) {
        const e = relevant(i.event);
        if (e) events.push(e);
      }
      const changed = await applySnapshotBatch(o.pool, {
        topic: last.meta.topic,
        partition: last.meta.partition,
        lastOffset: last.meta.offset,
        events,
      });
      o.onApplied?.({ topic: last.meta.topic, changed });
    },
  });
}
