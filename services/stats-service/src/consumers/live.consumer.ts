import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { AnyEvent, topicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import { z } from "zod";
import type { StreamHub } from "../domain/stream/hub.ts";

/**
 * Never fails to parse: malformed events are the projection consumer's to dead-letter. Without this every
 * replica's live consumer would dead-letter the same message again.
 */
const Lenient = z.unknown().transform((v) => AnyEvent.safeParse(v));

/**
 * Feeds this replica's SSE hub. A unique group per replica (starting at the live end), so each replica receives
 * ALL events, whichever replica owns the projection partitions. These groups hold no state worth keeping;
 * Kafka expires their offsets after offsets.retention.minutes.
 */
export async function createLiveConsumer(o: {
  bus: EventBus;
  hub: StreamHub;
  topicPrefix: string;
}): Promise<EventConsumer<typeof Lenient>> {
  const topics = topicNames(o.topicPrefix);
  const groupId = `${o.topicPrefix}stats-service.live.${hostname()}.${randomBytes(4).toString("hex")}`;
  return o.bus.consumer({
    groupId,
    topics: [topics.config, topics.status],
    schema: Lenient,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: false,
    // Nothing to resume from: a restarted replica starts at the live end under a new group id.
    commitOffsets: false,
    // Without a minimum each fetch returns at once with the few events since the last one: at 1,667 probe
    // results/s that is a fetch loop spinning in this process and in the broker. 250 ms (256 KiB, ~250 results,
    // under load) is invisible on a live dashboard (issue 13).
    fetchMinBytes: 256 * 1024,
    fetchMaxWaitMs: 250,
    handleBatch: async (items) => {
      for (const i of items) if (i.event.success) o.hub.publishEvent(i.event.data);
    },
  });
}
