import { randomUUID } from "node:crypto";
import { AnyEvent, cloudEvent, EVENT_SOURCES, type ProbeResult, type TopicNames } from "@hip/contracts";
import { EventBus, type EventProducer } from "@hip/events";
import { getTestStack } from "@hip/testkit";
import { pino } from "pino";

export interface Captured {
  topic: string;
  key: string | null;
  raw: string;
  event: AnyEvent;
}

/** A real consumer of the service's topics that records every message (raw text too, for secret scans). */
export async function captureTopics(
  topics: TopicNames,
  onEvent?: (c: Captured) => Promise<void> | void,
  brokers?: string[],
) {
  const stack = await getTestStack();
  const bus = new EventBus({
    brokers: brokers ?? stack.kafkaBrokers,
    clientId: "test-capture",
    logger: pino({ level: "silent" }),
  });
  const seen: Captured[] = [];
  const consumer = await bus.consumer({
    groupId: `${topics.config}.capture.${randomUUID()}`,
    topics: [topics.config, topics.status],
    schema: AnyEvent,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    handle: async (event, meta) => {
      const c = { topic: meta.topic, key: meta.key, raw: JSON.stringify(event), event };
      seen.push(c);
      await onEvent?.(c);
    },
  });
  await consumer.start();
  const producer: EventProducer = await bus.producer();
  return { seen, producer, status: () => consumer.status(), close: () => bus.close() };
}

export function probeCompleted(args: {
  integrationId: string;
  tenantId: string;
  success: boolean;
  testId?: string | null;
  id?: string;
  message?: string;
  checkedAt?: string;
}) {
  const data: ProbeResult = {
    integrationId: args.integrationId,
    tenantId: args.tenantId,
    testId: args.testId ?? null,
    trigger: args.testId ? "manual" : "scheduled",
    integrationType: "LAB_SYSTEM",
    probe: "http",
    success: args.success,
    latencyMs: 12,
    timings: { dnsMs: 1, connectMs: 2, tlsMs: 3, firstByteMs: 5, totalMs: 12 },
    tls: null,
    error: args.success
      ? null
      : { code: "ECONNREFUSED", message: args.message ?? "connection refused", stage: "connect" },
    diagnostics: { httpStatus: args.success ? 200 : null },
    attempts: 1,
    scheduledAt: null,
    checkedAt: args.checkedAt ?? new Date().toISOString(),
  };
  return cloudEvent({
    id: args.id ?? randomUUID(),
    type: "integration.probe_completed",
    source: EVENT_SOURCES.probeWorker,
    subject: args.integrationId,
    tenantId: args.tenantId,
    sequence: Date.now(),
    data,
  });
}
