import { MaintenanceOccurrenceEvent, topicNames } from "@hip/contracts";
import type { EventBus, EventConsumer } from "@hip/events";
import type pg from "pg";
import { z } from "zod";

/** Only `maintenance.occurrence` matters here; every other incident event is skipped, never dead-lettered. */
const OnlyOccurrences = z.unknown().transform((v) => MaintenanceOccurrenceEvent.safeParse(v));

export function maintenanceGroupId(prefix: string): string {
  return `${prefix}stats-service.maintenance`;
}

/** Upserts a batch of occurrences: per (window, start) the event with the highest sequence wins (idempotent). */
export async function applyOccurrences(pool: pg.Pool, events: MaintenanceOccurrenceEvent[]): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    window_id: e.data.window.id,
    starts_at: e.data.startsAt,
    ends_at: e.data.endsAt,
    tenant_id: e.tenantid,
    name: e.data.window.name,
    scope: e.data.window.scope,
    sequence: e.sequence,
  }));
  await pool.query(
    `INSERT INTO stats.maintenance_intervals (window_id, starts_at, ends_at, tenant_id, name, scope, sequence)
     SELECT DISTINCT ON (window_id, starts_at) window_id, starts_at, ends_at, tenant_id, name, scope, sequence
     FROM jsonb_to_recordset($1::jsonb) AS x(window_id uuid, starts_at timestamptz, ends_at timestamptz,
          tenant_id text, name text, scope jsonb, sequence bigint)
     ORDER BY window_id, starts_at, sequence DESC
     ON CONFLICT (window_id, starts_at) DO UPDATE
       SET ends_at = excluded.ends_at, name = excluded.name, scope = excluded.scope, sequence = excluded.sequence
       WHERE stats.maintenance_intervals.sequence < excluded.sequence`,
    [JSON.stringify(rows)],
  );
}

/** Follows the alert service's maintenance occurrences on integration.incident.v1 (its own consumer group). */
export async function createMaintenanceConsumer(o: {
  bus: EventBus;
  pool: pg.Pool;
  topicPrefix: string;
}): Promise<EventConsumer<typeof OnlyOccurrences>> {
  const topics = topicNames(o.topicPrefix);
  return o.bus.consumer({
    groupId: maintenanceGroupId(o.topicPrefix),
    topics: [topics.incident],
    schema: OnlyOccurrences,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    handleBatch: async (items) => {
      await applyOccurrences(
        o.pool,
        items.flatMap((i) => (i.event.success ? [i.event.data] : [])),
      );
    },
  });
}
