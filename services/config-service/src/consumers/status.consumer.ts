import { EVENT_SOURCES, StatusEvent, type TopicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import { inSpan, SpanKind } from "@hip/service-kit";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import { applyProbeResult } from "../domain/status/apply-probe-result.ts";

export const statusGroupId = (prefix: string): string => `${prefix}config-service.status`;

/**
 * Consumes integration.status.v1. Applies `integration.probe_completed`; ignores `integration.status_changed`
 * (this service's own output on the same topic).
 */
export async function createStatusConsumer(args: {
  bus: EventBus;
  db: Db;
  topics: TopicNames;
  prefix: string;
  logger: Logger;
}): Promise<EventConsumer<typeof StatusEvent>> {
  const { db, topics, logger } = args;
  return args.bus.consumer({
    groupId: statusGroupId(args.prefix),
    topics: [topics.status],
    schema: StatusEvent,
    deadLetterTopic: topics.deadLetter,
    handle: async (event) => {
      if (event.type !== "integration.probe_completed") return;
      if (event.source === EVENT_SOURCES.configService) return;
      const outcome = await inSpan(
        `apply ${event.type}`,
        {
          parent: event.traceparent,
          kind: SpanKind.CONSUMER,
          attributes: { "hip.integration_id": event.subject },
        },
        async (span, traceparent) => {
          const out = await applyProbeResult({ db, topics }, event, traceparent);
          span.setAttribute("hip.outcome", out);
          return out;
        },
      );
      if (outcome === "unknown_integration") {
        logger.debug(
          { eventId: event.id, integrationId: event.subject },
          "probe result for unknown integration",
        );
      }
    },
  });
}
