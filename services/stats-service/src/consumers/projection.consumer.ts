import { AnyEvent, topicNames } from "@hip/contracts";
import { BatchCoalescer, type EventBus, type EventConsumer, type ParsedMessage } from "@hip/events";
import { SpanKind, SpanStatusCode, startSpan } from "@hip/service-kit";
import type { Logger } from "pino";
import type pg from "pg";
import { applyEvents, type RetentionDays } from "../domain/projection/apply-events.ts";
import type { StatsMetrics } from "../metrics/metrics.ts";

export function projectionGroupId(prefix: string): string {
  return `${prefix}stats-service.projection`;
}

export interface ProjectionConsumerOptions {
  bus: EventBus;
  pool: pg.Pool;
  metrics: StatsMetrics;
  logger: Logger;
  topicPrefix: string;
  retention: RetentionDays;
  /** Partitions applied at once; each in its own transaction (deadlocks, if any, are retried by the consumer). */
  partitionsConcurrently?: number;
  /** Defaults to the projection group; `rebuild` passes a fresh one. */
  groupId?: string;
  /** After each committed batch (benchmarks measure event-to-read-model latency here). */
  onApplied?: (info: { applied: number; duplicates: number; stale: number; events: AnyEvent[] }) => void;
}

/**
 * The read-model projection: config + status topics, one consumer group, each fetched batch applied in one
 * Postgres transaction. Malformed events go to the dead-letter topic (EventConsumer) and never block a partition.
 */
export async function createProjectionConsumer(
  o: ProjectionConsumerOptions,
): Promise<EventConsumer<typeof AnyEvent>> {
  const topics = topicNames(o.topicPrefix);
  const apply = async (items: Array<ParsedMessage<AnyEvent>>) => {
    const end = o.metrics.batchDuration.startTimer();
    // Events that carry a trace (a connection test an admin asked for) get a span covering their batch's
    // transaction, so the trace ends where the read model has the result.
    const spans = items
      .filter((i) => i.event.traceparent)
      .map((i) =>
        startSpan(`project ${i.event.type}`, {
          parent: i.event.traceparent,
          kind: SpanKind.CONSUMER,
          attributes: { "hip.integration_id": i.event.subject, "hip.event_id": i.event.id },
        }),
      );
    let result: Awaited<ReturnType<typeof applyEvents>>;
    try {
      result = await applyEvents({
        pool: o.pool,
        events: items.map((i) => i.event),
        retention: o.retention,
      });
    } catch (err) {
      for (const s of spans) s.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      for (const s of spans) s.end();
    }
    end();
    const now = Date.now();
    for (const i of items) {
      if (result.applied > 0)
        o.metrics.applyLag.observe(Math.max(0, (now - Date.parse(i.event.time)) / 1000));
    }
    o.metrics.eventsDuplicate.inc(result.duplicates);
    o.metrics.eventsStale.inc(result.stale);
    const byType = new Map<string, number>();
    for (const i of items) byType.set(i.event.type, (byType.get(i.event.type) ?? 0) + 1);
    if (result.applied > 0) {
      for (const [type, n] of byType) o.metrics.eventsApplied.inc({ type }, n);
    }
    for (const p of result.probes) {
      o.metrics.checks.inc({
        type: p.data.integrationType,
        result: p.data.success ? "success" : "failure",
      });
      o.metrics.checkLatency.observe({ type: p.data.integrationType }, p.data.latencyMs / 1000);
    }
    o.onApplied?.({
      applied: result.applied,
      duplicates: result.duplicates,
      stale: result.stale,
      events: items.map((i) => i.event),
    });
  };
  // The batches of the partitions consumed together are applied as one transaction: at 1,000+ probe results/s,
  // one per partition (~50 events) spent most of the projection's Postgres CPU on per-transaction work and on
  // the per-tenant roll-up rows every transaction touches (issue 13: 315 -> 105 us of backend CPU per result).
  const parts = o.partitionsConcurrently ?? 1;
  const joined = new BatchCoalescer(apply, { parts, waitMs: 20 });
  return o.bus.consumer({
    groupId: o.groupId ?? projectionGroupId(o.topicPrefix),
    topics: [topics.config, topics.status],
    schema: AnyEvent,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    partitionsConsumedConcurrently: parts,
    // Each batch is one transaction: at 1,667 probe results/s, fetching up to 300 ms of them (or 256 KiB) at once
    // makes few large batches instead of many small ones (issue 13; the read-model lag goal is 2 s).
    fetchMinBytes: 256 * 1024,
    fetchMaxWaitMs: 300,
    handleBatch: (items) => joined.submit(items),
    onDeadLetter: ({ topic }) => o.metrics.deadLetters.inc({ topic }),
  });
}
