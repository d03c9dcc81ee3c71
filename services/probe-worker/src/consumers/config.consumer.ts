import {
  type ConfigEvent,
  type ConnectionTestJob,
  type IntegrationTestRequested,
  JOB_CATALOG,
  type TopicNames,
  ConfigEvent as ConfigEventSchema,
} from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { desiredSchedule } from "../domain/desired-schedule.ts";
import type { WorkerKeys } from "../domain/keys.ts";
import type { ScheduleManager } from "../domain/schedules.ts";
import type { SpecCache } from "../domain/spec-cache.ts";
import type { Metrics } from "../metrics.ts";

export interface ConfigHandlerDeps {
  queue: Queue;
  redis: Redis;
  keys: WorkerKeys;
  schedules: ScheduleManager;
  /** Drops a cached spec in every worker process (see runtime: Redis pub/sub fan-out). */
  specs: Pick<SpecCache, "invalidate">;
  metrics: Metrics;
  logger: Logger;
}

/** Remember an enqueued test for longer than BullMQ keeps completed jobs (removeOnComplete is count-based). */
const TEST_SEEN_TTL_SECONDS = 14 * 24 * 3600;

/**
 * Applies one config event. Idempotent and safe to replay from offset 0: schedule changes are ordered by the
 * event sequence (stale ones are ignored) and a connection test is enqueued under its test id exactly once.
 */
export async function handleConfigEvent(deps: ConfigHandlerDeps, event: ConfigEvent): Promise<void> {
  let outcome: string;
  switch (event.type) {
    case "integration.created":
    case "integration.updated": {
      const i = event.data.integration;
      deps.specs.invalidate(i.id);
      outcome = await deps.schedules.applyEvent(
        {
          integrationId: i.id,
          tenantId: i.tenantId,
          desired: desiredSchedule(i),
          intervalSeconds: i.healthCheck.intervalSeconds,
        },
        { sequence: event.sequence, version: i.version },
      );
      break;
    }
    case "integration.deleted": {
      deps.specs.invalidate(event.data.integrationId);
      outcome = await deps.schedules.applyEvent(
        {
          integrationId: event.data.integrationId,
          tenantId: event.tenantid,
          desired: "absent",
          intervalSeconds: 0,
        },
        { sequence: event.sequence, version: event.data.version },
      );
      break;
    }
    case "integration.test_requested":
      outcome = await enqueueTest(deps, event);
      break;
  }
  deps.metrics.configEvents.inc({ type: event.type, outcome });
  deps.logger.debug({ type: event.type, subject: event.subject, outcome }, "config event handled");
}

async function enqueueTest(deps: ConfigHandlerDeps, event: IntegrationTestRequested): Promise<string> {
  const { testId, integrationId, requestedBy } = event.data;
  const seen = deps.keys.testSeen(testId);
  if ((await deps.redis.exists(seen)) === 1) return "duplicate";
  // A test always runs against the newest spec.
  deps.specs.invalidate(integrationId);
  const data: ConnectionTestJob = {
    integrationId,
    tenantId: event.tenantid,
    testId,
    requestedBy,
    ...(event.traceparent ? { traceparent: event.traceparent } : {}),
  };
  // jobId = testId: BullMQ ignores an add whose id exists, so a redelivery between add and the marker is safe.
  await deps.queue.add("connection-test", data, { ...JOB_CATALOG["connection-test"].opts, jobId: testId });
  await deps.redis.set(seen, "1", "EX", TEST_SEEN_TTL_SECONDS);
  return "enqueued";
}

export interface ConfigConsumerOptions extends ConfigHandlerDeps {
  bus: EventBus;
  topics: TopicNames;
  groupId: string;
}

/** The `<prefix>probe-worker.config` group member. */
export async function createConfigConsumer(
  opts: ConfigConsumerOptions,
): Promise<EventConsumer<typeof ConfigEventSchema>> {
  return opts.bus.consumer({
    groupId: opts.groupId,
    topics: [opts.topics.config],
    schema: ConfigEventSchema,
    deadLetterTopic: opts.topics.deadLetter,
    fromBeginning: true,
    handle: (event) => handleConfigEvent(opts, event),
    onBatchEnd: ({ topic, partition, lag }) => opts.metrics.recordLag(topic, partition, lag),
    onDeadLetter: () => opts.metrics.deadLetters.inc(),
  });
}
