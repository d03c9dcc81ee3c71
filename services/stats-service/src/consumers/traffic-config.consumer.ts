import { ConfigEvent, topicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type pg from "pg";

export function trafficConfigGroupId(prefix: string): string {
  return `${prefix}stats-service.traffic-config`;
}

/**
 * Keeps the detector's copy of each integration's `trafficExpectations` (config topic, own group so the main
 * projection stays untouched). Gated by the config service's sequence: an older snapshot never overwrites a newer
 * one, a deletion is final. Replay-safe from offset 0.
 */
export async function createTrafficConfigConsumer(o: {
  bus: EventBus;
  pool: pg.Pool;
  topicPrefix: string;
}): Promise<EventConsumer<typeof ConfigEvent>> {
  const topics = topicNames(o.topicPrefix);
  return o.bus.consumer({
    groupId: trafficConfigGroupId(o.topicPrefix),
    topics: [topics.config],
    schema: ConfigEvent,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    handleBatch: async (items) => {
      const rows = new Map<
        string,
        { tenantId: string; seq: number; expectations: unknown; deleted: boolean }
      >();
      for (const { event: e } of items) {
        if (e.type === "integration.test_requested") continue;
        const prev = rows.get(e.subject);
        if (prev && prev.seq >= e.sequence) continue;
        rows.set(e.subject, {
          tenantId: e.tenantid,
          seq: e.sequence,
          expectations:
            e.type === "integration.deleted" ? null : (e.data.integration.trafficExpectations ?? null),
          deleted: e.type === "integration.deleted",
        });
      }
      if (rows.size === 0) return;
      const list = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      await o.pool.query(
        `INSERT INTO stats.traffic_state AS t (integration_id, tenant_id, expectations, expectations_seq, deleted)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::bigint[], $5::boolean[])
         ON CONFLICT (integration_id) DO UPDATE SET expectations = excluded.expectations,
           expectations_seq = excluded.expectations_seq, deleted = t.deleted OR excluded.deleted
         WHERE t.expectations_seq < excluded.expectations_seq`,
        [
          list.map(([id]) => id),
          list.map(([, r]) => r.tenantId),
          list.map(([, r]) => (r.expectations === null ? null : JSON.stringify(r.expectations))),
          list.map(([, r]) => r.seq),
          list.map(([, r]) => r.deleted),
        ],
      );
    },
  });
}
