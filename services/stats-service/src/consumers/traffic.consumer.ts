import { IntegrationTrafficReported, topicNames } from "@hip/contracts";
import type { EventBus, EventConsumer, EventProducer } from "@hip/events";
import type { Logger } from "pino";
import type pg from "pg";
import {
  checkReport,
  knownIntegrations,
  type SourcedReport,
  storeReports,
} from "../domain/traffic/ingest-traffic.ts";
import type { TrafficMetrics } from "../metrics/traffic-metrics.ts";

export function trafficGroupId(prefix: string): string {
  return `${prefix}stats-service.traffic`;
}

export interface TrafficConsumerOptions {
  bus: EventBus;
  pool: pg.Pool;
  metrics: TrafficMetrics;
  logger: Logger;
  topicPrefix: string;
  partitionsConcurrently?: number;
  now?: () => number;
  /** Raw-report retention: older windowStarts are dead-lettered (`too_old`). */
  maxAgeMs?: number;
  /** After each committed batch (the bench measures report-to-read-model lag here). */
  onStored?: (info: { stored: number; events: IntegrationTrafficReported[] }) => void;
}

/**
 * High-volume traffic ingest from `integration.traffic.v1`: the same checks as POST /traffic, per message. A report
 * that fails them (unknown or other tenant's integration, subject ≠ integrationId, windowStart > 5 min ahead) is
 * dead-lettered with the reason and the rest of the fetch is stored in one transaction; malformed messages are
 * dead-lettered by the consumer itself. Idempotent per (integration, windowStart, CloudEvent source).
 */
export async function createTrafficConsumer(
  o: TrafficConsumerOptions,
): Promise<EventConsumer<typeof IntegrationTrafficReported>> {
  const topics = topicNames(o.topicPrefix);
  const groupId = trafficGroupId(o.topicPrefix);
  let dlq: EventProducer | null = null;
  return o.bus.consumer({
    groupId,
    topics: [topics.traffic],
    schema: IntegrationTrafficReported,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    partitionsConsumedConcurrently: o.partitionsConcurrently ?? 1,
    handleBatch: async (items) => {
      const now = o.now?.() ?? Date.now();
      const events = items.map((i) => i.event);
      const known = await knownIntegrations(
        o.pool,
        events.map((e) => e.data.integrationId),
      );
      const good: SourcedReport[] = [];
      const bad: Array<{ event: IntegrationTrafficReported; reason: string; rule: string }> = [];
      for (const e of events) {
        const report: SourcedReport = { ...e.data, source: e.source };
        const issue =
          e.subject !== e.data.integrationId
            ? { field: "subject", rule: "subject_mismatch", message: "subject must equal data.integrationId" }
            : checkReport(report, e.tenantid, known, now, "data.", o.maxAgeMs);
        if (issue) bad.push({ event: e, reason: `${issue.field}: ${issue.message}`, rule: issue.rule });
        else good.push(report);
      }
      // Store first, then dead-letter: a retry after a failed store never dead-letters the same report twice.
      const result = good.length > 0 ? await storeReports(o.pool, good, known) : null;
      if (bad.length > 0) {
        dlq ??= await o.bus.producer();
        await dlq.send(
          topics.deadLetter,
          bad.map((b) => ({
            key: b.event.subject,
            value: b.event,
            headers: { "x-dlq-reason": b.reason, "x-dlq-topic": topics.traffic, "x-dlq-group": groupId },
          })),
        );
        for (const b of bad) o.metrics.rejected.inc({ via: "kafka", reason: b.rule });
        o.logger.warn({ count: bad.length, first: bad[0]?.reason }, "traffic reports dead-lettered");
      }
      if (!result) return;
      o.metrics.countStored("kafka", result.byType);
      o.metrics.duplicates.inc({ via: "kafka" }, result.duplicates);
      const done = Date.now();
      for (const e of events) {
        if (e.time)
          o.metrics.ingestDelay.observe({ via: "kafka" }, Math.max(0, (done - Date.parse(e.time)) / 1000));
      }
      o.onStored?.({ stored: result.accepted, events });
    },
  });
}
