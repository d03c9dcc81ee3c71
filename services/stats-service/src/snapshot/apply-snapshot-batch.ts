import {
  type AnyEvent,
  applyStatusEvent,
  blankStatusState,
  type IntegrationStatus,
  type IntegrationType,
  STATUS_STATE_EVENT_TYPES,
  type StatusState,
} from "@hip/contracts";
import type pg from "pg";
import { SNAPSHOT_COLUMNS, type SnapshotRow } from "./snapshot-row.ts";
import { inTransaction } from "../db/client.ts";

export interface SnapshotBatch {
  topic: string;
  partition: number;
  /** Offset of the batch's last message: the partition's next offset becomes this + 1. */
  lastOffset: string;
  events: AnyEvent[];
}

const OFFSET_UPSERT = `INSERT INTO stats.snapshot_offsets AS o (topic, partition, next_offset) VALUES ($1, $2, $3)
  ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(o.next_offset, excluded.next_offset)`;

/**
 * Applies one fetched batch (one topic-partition) to the status snapshot and records the partition's next offset
 * in the SAME transaction: the table then never claims an offset whose events are not in the rows. Events are
 * folded by `applyStatusEvent` (sequence-gated), so a redelivered or reordered batch changes nothing. Rows are
 * locked in id order: batches of the config and status partitions of one integration may run at once (replicas).
 */
export async function applySnapshotBatch(pool: pg.Pool, batch: SnapshotBatch): Promise<number> {
  const next = (BigInt(batch.lastOffset) + 1n).toString();
  const relevant = batch.events.filter((e) => STATUS_STATE_EVENT_TYPES.has(e.type));
  if (relevant.length === 0) {
    // Probe results only (the common case on the status topic): one statement moves the position on.
    await pool.query(OFFSET_UPSERT, [batch.topic, batch.partition, next]);
    return 0;
  }
  const tenants = new Map<string, string>();
  for (const e of relevant) if (!tenants.has(e.subject)) tenants.set(e.subject, e.tenantid);
  const ids = [...tenants.keys()].sort();
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO stats.status_snapshot (integration_id, tenant_id)
       SELECT * FROM unnest($1::uuid[], $2::text[]) ON CONFLICT DO NOTHING`,
      [ids, ids.map((id) => tenants.get(id) ?? "")],
    );
    const { rows } = await client.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS}
       FROM stats.status_snapshot WHERE integration_id = ANY($1::uuid[]) ORDER BY integration_id FOR UPDATE`,
      [ids],
    );
    const states = new Map(rows.map((r) => [r.integration_id, toState(r)]));
    const changed = new Set<string>();
    for (const e of relevant) {
      const st = states.get(e.subject) ?? blankStatusState(e.tenantid);
      states.set(e.subject, st);
      if (applyStatusEvent(st, e)) changed.add(e.subject);
    }
    if (changed.size > 0) await writeStates(client, [...changed].sort(), states);
    await client.query(OFFSET_UPSERT, [batch.topic, batch.partition, next]);
    return changed.size;
  });
}

function toState(r: SnapshotRow): StatusState {
  return {
    tenantId: r.tenant_id,
    known: r.known,
    name: r.name,
    type: r.type as IntegrationType | null,
    status: r.status as IntegrationStatus | null,
    statusSince: r.status_since ? new Date(r.status_since).toISOString() : null,
    sequence: r.sequence,
    snapshotSequence: r.snapshot_sequence,
    deleted: r.deleted,
    incident: r.incident,
    incidentSequence: r.incident_sequence,
  };
}

async function writeStates(client: pg.PoolClient, ids: string[], states: Map<string, StatusState>) {
  const col = <T>(f: (s: StatusState) => T) =>
    ids.map((id) => {
      const s = states.get(id);
      if (!s) throw new Error(`status snapshot: no state for ${id}`);
      return f(s);
    });
  await client.query(
    `UPDATE stats.status_snapshot t SET known = u.known, name = u.name, type = u.type, status = u.status,
       status_since = u.status_since, sequence = u.sequence, snapshot_sequence = u.snapshot_sequence,
       deleted = u.deleted, incident = u.incident, incident_sequence = u.incident_sequence, updated_at = now()
     FROM unnest($1::uuid[], $2::bool[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::int8[],
                 $8::int8[], $9::bool[], $10::jsonb[], $11::int8[])
       AS u(id, known, name, type, status, status_since, sequence, snapshot_sequence, deleted, incident,
            incident_sequence)
     WHERE t.integration_id = u.id`,
    [
      ids,
      col((s) => s.known),
      col((s) => s.name),
      col((s) => s.type),
      col((s) => s.status),
      col((s) => s.statusSince),
      col((s) => s.sequence),
      col((s) => s.snapshotSequence),
      col((s) => s.deleted),
      col((s) => (s.incident ? JSON.stringify(s.incident) : null)),
      col((s) => s.incidentSequence),
    ],
  );
}
