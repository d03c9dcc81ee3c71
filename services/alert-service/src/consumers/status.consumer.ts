import { StatusEvent, type TopicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type { DomainDeps } from "../domain/context.ts";
import { applyStatusBatch } from "../domain/projection/apply-status-event.ts";
import type { AlertMetrics } from "../metrics/metrics.ts";

export const statusGroupId = (prefix: string): string => `${prefix}alert-service.status`;

/**
 * Consumes integration.status.v1: failed probe results (the error an incident records) and status_changed
 * (opens and resolves incidents). Partitions run concurrently; order holds per integration (one partition).
 */
export async function createStatusConsumer(args: {
  bus: EventBus;
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">;
  topics: TopicNames;
  prefix: string;
  metrics: AlertMetrics;
  concurrency: number;
}): Promise<EventConsumer<typeof StatusEvent>> {
  const { deps, topics, metrics } = args;
  return args.bus.consumer({
    groupId: statusGroupId(args.prefix),
    topics: [topics.status],
    schema: StatusEvent,
    deadLetterTopic: topics.deadLetter,
    partitionsConsumedConcurrently: args.concurrency,
    // Probe results are most of this topic: fetches of 64 KiB or 100 ms instead of one per few events (a fetch
    // loop spinning in this process and the broker at 1,000+ results/s; issue 13). 100 ms is nothing to a page.
    fetchMinBytes: 64 * 1024,
    fetchMaxWaitMs: 100,
    // One transaction per fetched batch of a partition (order kept): one commit instead of one per event.
    handleBatch: async (items) => {
      const outcomes = await applyStatusBatch(
        deps,
        items.map((i) => i.event),
      );
      for (const outcome of outcomes) metrics.events.inc({ topic: "status", outcome });
    },
    onDeadLetter: () => metrics.deadLetters.inc({ topic: "status" }),
  });
}
