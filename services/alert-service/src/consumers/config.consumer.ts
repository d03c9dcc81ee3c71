import { ConfigEvent, type TopicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type { DomainDeps } from "../domain/context.ts";
import { applyConfigBatch } from "../domain/projection/apply-config-event.ts";
import type { AlertMetrics } from "../metrics/metrics.ts";

export const configGroupId = (prefix: string): string => `${prefix}alert-service.config`;

/** Consumes integration.config.v1 into the projection (names, types) and resolves incidents of deleted ones. */
export async function createConfigConsumer(args: {
  bus: EventBus;
  deps: Pick<DomainDeps, "db" | "topics" | "notifyMaxEventAgeMs" | "clock">;
  topics: TopicNames;
  prefix: string;
  metrics: AlertMetrics;
  concurrency: number;
}): Promise<EventConsumer<typeof ConfigEvent>> {
  const { deps, topics, metrics } = args;
  return args.bus.consumer({
    groupId: configGroupId(args.prefix),
    topics: [topics.config],
    schema: ConfigEvent,
    deadLetterTopic: topics.deadLetter,
    partitionsConsumedConcurrently: args.concurrency,
    // One transaction per fetched batch of a partition (order kept): one commit instead of one per event.
    handleBatch: async (items) => {
      const outcomes = await applyConfigBatch(
        deps,
        items.map((i) => i.event),
      );
      for (const outcome of outcomes) metrics.events.inc({ topic: "config", outcome });
    },
    onDeadLetter: () => metrics.deadLetters.inc({ topic: "config" }),
  });
}
