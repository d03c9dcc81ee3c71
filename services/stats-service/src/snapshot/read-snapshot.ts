import {
  type IntegrationStatus,
  type IntegrationType,
  type SnapshotTopic,
  type StatusSnapshotItem,
  type StatusSnapshotPage,
  topicNames,
} from "@hip/contracts";
import type pg from "pg";
import { SNAPSHOT_COLUMNS, type SnapshotRow } from "./snapshot-row.ts";

/**
 * One page of the status snapshot. Offsets and rows are read in ONE repeatable-read transaction, so the page is
 * exactly the state after applying every event before those offsets (rows are written with their offsets, see
 * applySnapshotBatch). `tenantId` null = every tenant (service tokens).
 */
export async function readStatusSnapshot(args: {
  pool: pg.Pool;
  topicPrefix: string;
  tenantId: string | null;
  cursor?: string | undefined;
  limit: number;
}): Promise<StatusSnapshotPage> {
  const client = await args.pool.connect();
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const takenAt = new Date().toISOString();
    const names = topicNames(args.topicPrefix);
    const keys = [
      ["config", names.config],
      ["status", names.status],
      ["incident", names.incident],
    ] as const;
    const offsets = await client.query<{ topic: string; partition: number; next_offset: number }>(
      "SELECT topic, partition, next_offset FROM stats.snapshot_offsets WHERE topic = ANY($1::text[]) ORDER BY 1, 2",
      [keys.map(([, t]) => t)],
    );
    const topics: SnapshotTopic[] = keys.map(([key, topic]) => ({
      key,
      topic,
      partitions: offsets.rows
        .filter((r) => r.topic === topic)
        .map((r) => ({ partition: r.partition, offset: String(r.next_offset) })),
    }));
    const params: unknown[] = [args.cursor ?? null, args.limit + 1];
    let tenantFilter = "";
    if (args.tenantId !== null) {
      params.push(args.tenantId);
      tenantFilter = "AND tenant_id = $3";
    }
    const { rows } = await client.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS}
       FROM stats.status_snapshot
       WHERE ($1::uuid IS NULL OR integration_id > $1::uuid) ${tenantFilter}
       ORDER BY integration_id LIMIT $2`,
      params,
    );
    await client.query("COMMIT");
    const page = rows.slice(0, args.limit);
    const more = rows.length > args.limit;
    return {
      data: page.map(toItem),
      nextCursor: more ? (page.at(-1)?.integration_id ?? null) : null,
      asOf: { takenAt, topics },
    };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

function toItem(r: SnapshotRow): StatusSnapshotItem {
  return {
    integrationId: r.integration_id,
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
