import { StatusEvent, type TopicNames } from "@hip/contracts";
import {
  BatchCoalescer,
  type EventBus,
  type EventConsumer,
  type EventProducer,
  type ParsedMessage,
} from "@hip/events";
import { SpanKind, SpanStatusCode, startSpan, traceparentOf } from "@hip/service-kit";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import { applyProbeBatch, type BatchOutcome, isProbeToApply } from "../domain/status/apply-probe-batch.ts";
import { applyProbeResult } from "../domain/status/apply-probe-result.ts";
import { isDataError } from "../domain/status/data-error.ts";

export const statusGroupId = (prefix: string): string => `${prefix}config-service.status`;

type Item = ParsedMessage<StatusEvent>;
type Span = ReturnType<typeof startSpan>;

/**
 * Consumes integration.status.v1. Applies `integration.probe_completed`, a fetched batch at a time in a few
 * set-based transactions (apply-probe-batch.ts); ignores `integration.status_changed` (this service's own output
 * on the same topic) and probe results checked longer ago than `applyWindowMs` (90 % of the processed_events
 * retention: a replay of old results can neither double-count nor move today's counters). A transient failure throws, and the consumer retries the batch (already applied events are
 * duplicates then). A batch that fails for a data reason (a value Postgres refuses) is applied again one event
 * at a time, and an event that fails alone for a data reason goes to the dead-letter topic: one bad event never
 * stalls the partition.
 */
export async function createStatusConsumer(args: {
  bus: EventBus;
  db: Db;
  topics: TopicNames;
  prefix: string;
  logger: Logger;
  /** Probe results checked longer ago than this are not applied (they may be past the dedupe window). */
  applyWindowMs?: number;
  /** Partitions consumed at once, their batches applied together (STATUS_PARTITIONS_CONCURRENCY; default 1). */
  partitionsConcurrently?: number;
}): Promise<EventConsumer<typeof StatusEvent>> {
  const { db, topics, logger } = args;
  const window = args.applyWindowMs ?? Number.POSITIVE_INFINITY;
  let dlq: Promise<EventProducer> | null = null;
  const deadLetter = async (item: Item, reason: string) => {
    logger.warn(
      { eventId: item.event.id, partition: item.meta.partition, offset: item.meta.offset, reason },
      "dead-lettering probe result that cannot be applied",
    );
    // Created on first use (rare); a failed connect is retried by the next dead letter, not cached.
    dlq ??= args.bus.producer().catch((err: unknown) => {
      dlq = null;
      throw err;
    });
    // The same headers as the consumer library's dead letters (libs/events consumer.ts).
    await (await dlq).send(topics.deadLetter, [
      {
        key: item.meta.key ?? item.event.subject,
        value: item.event,
        headers: {
          "x-dlq-reason": reason.slice(0, 500),
          "x-dlq-topic": item.meta.topic,
          "x-dlq-partition": String(item.meta.partition),
          "x-dlq-offset": item.meta.offset,
          "x-dlq-group": statusGroupId(args.prefix),
        },
      },
    ]);
  };

  /** The fallback: each event in its own transaction, in order. */
  const oneByOne = async (items: Item[], traceparents: Array<string | undefined>, staleBefore: number) => {
    const out: BatchOutcome[] = [];
    for (const [i, item] of items.entries()) {
      if (!isProbeToApply(item.event, staleBefore)) {
        out.push("ignored");
        continue;
      }
      try {
        out.push(await applyProbeResult({ db, topics }, item.event, traceparents[i]));
      } catch (err) {
        if (!isDataError(err)) throw err;
        await deadLetter(item, `apply: ${errorText(err)}`);
        out.push("ignored");
      }
    }
    return out;
  };

  const apply = async (items: Item[]) => {
    const events = items.map((i) => i.event);
    const staleBefore = Date.now() - window;
    // A span per probe result that carries a trace (a connection test an admin asked for), covering the
    // transaction that applies it; its status change, if any, continues that trace.
    const spans = new Map<number, Span>();
    for (const [i, e] of events.entries()) {
      if (!e.traceparent || !isProbeToApply(e, staleBefore)) continue;
      spans.set(
        i,
        startSpan(`apply ${e.type}`, {
          parent: e.traceparent,
          kind: SpanKind.CONSUMER,
          attributes: { "hip.integration_id": e.subject, "hip.event_id": e.id },
        }),
      );
    }
    const traceparents = events.map((e, i) => {
      const span = spans.get(i);
      return span ? (traceparentOf(span) ?? e.traceparent) : e.traceparent;
    });
    try {
      let outcomes: BatchOutcome[];
      try {
        outcomes = await applyProbeBatch({ db, topics, staleBefore }, events, traceparents);
      } catch (err) {
        if (!isDataError(err)) throw err;
        // The root cause only: the query error's own text holds every parameter of the batch.
        logger.warn(
          { reason: errorText(err), events: events.length },
          "probe batch refused; applying its events one by one",
        );
        outcomes = await oneByOne(items, traceparents, staleBefore);
      }
      for (const [i, span] of spans) span.setAttribute("hip.outcome", outcomes[i] ?? "applied");
      const unknown = outcomes.filter((o) => o === "unknown_integration").length;
      if (unknown > 0) logger.debug({ unknown }, "probe results for unknown integrations");
    } catch (err) {
      for (const span of spans.values())
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorText(err) });
      throw err;
    } finally {
      for (const span of spans.values()) span.end();
    }
  };
  // The batches of the partitions consumed together are applied as one (in PROBE_BATCH_TX_EVENTS transactions):
  // fewer, larger transactions at 1,000+ results/s (issue 13). Order within a partition is kept.
  const parts = args.partitionsConcurrently ?? 1;
  const joined = new BatchCoalescer(apply, { parts, waitMs: 20 });
  return args.bus.consumer({
    groupId: statusGroupId(args.prefix),
    partitionsConsumedConcurrently: parts,
    topics: [topics.status],
    schema: StatusEvent,
    deadLetterTopic: topics.deadLetter,
    // Batches are transactions: under load, larger ones (64 KiB, ~60 results) for at most 150 ms more latency.
    fetchMinBytes: 64 * 1024,
    fetchMaxWaitMs: 150,
    handleBatch: (items) => joined.submit(items),
  });
}

/** The root cause's message (Postgres' own words, not the query text and parameters a query error wraps them in). */
function errorText(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(err);
}
