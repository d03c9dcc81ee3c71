import type { AnyEvent, IntegrationProbeCompleted, IntegrationType } from "@hip/contracts";
import type pg from "pg";
import { inTransaction } from "../../db/client.ts";
import {
  type AppliedSequences,
  applyConfigState,
  applyProbe,
  blankRow,
  type IntegrationRow,
  isConfigState,
  isCounted,
} from "./reducer.ts";
import { tryApplyProbeBatch } from "./probe-fast-path.ts";
import { DAY_MS, RollupBatch } from "./rollups.ts";
import { claimEvents, lockIntegrationRows, writeIntegrationRows, writeSequences } from "./sql.ts";
import { SqlBatch } from "./sql-batch.ts";

export interface RetentionDays {
  raw: number;
  minute: number;
  hour: number;
}

export interface ApplyResult {
  /** Events applied for the first time. */
  applied: number;
  /** Events already applied before (redelivery or replay) and skipped. */
  duplicates: number;
  /** Probe results checked before the dedupe window (staleProbeCutoff) and therefore not applied. */
  stale: number;
  probes: IntegrationProbeCompleted[];
  newestEventAt: string | null;
}

/**
 * Share of RETENTION_RAW_DAYS after which a probe result is no longer applied. A probe result's dedupe record is
 * its raw check row, which the retention job deletes after RETENTION_RAW_DAYS; a result redelivered after that
 * would be counted again. The 10 % margin covers a pruning pass running while the batch is applied.
 */
export const STALE_SHARE = 0.9;

export function staleProbeCutoff(now: number, retention: RetentionDays): number {
  return now - STALE_SHARE * retention.raw * DAY_MS;
}

/**
 * Applies one consumed batch in ONE transaction: dedupe by event id (a probe result's raw check row, any other
 * event's processed_events row; ON CONFLICT DO NOTHING),
 * lock the affected current-view rows, fold the events in memory, then write rows, counters, raw checks and
 * roll-ups. Either all of a batch lands or none does, and a redelivered batch changes nothing.
 */
export async function applyEvents(args: {
  pool: pg.Pool;
  events: AnyEvent[];
  retention: RetentionDays;
  now?: number;
}): Promise<ApplyResult> {
  const now = args.now ?? Date.now();
  const staleBefore = staleProbeCutoff(now, args.retention);
  const unique = new Map<string, AnyEvent>();
  let stale = 0;
  for (const e of args.events) {
    // test_requested changes nothing here: the status_changed(TESTING) that follows it does.
    // traffic_anomaly is the stats service's own output (read by the traffic detector, not the projection).
    if (e.type === "integration.traffic_anomaly" || e.type === "integration.test_requested") continue;
    if (unique.has(e.id)) continue;
    if (e.type === "integration.probe_completed" && Date.parse(e.data.checkedAt) < staleBefore) {
      stale++;
      continue;
    }
    unique.set(e.id, e);
  }
  const candidates = [...unique.values()];
  const empty: ApplyResult = { applied: 0, duplicates: 0, stale, probes: [], newestEventAt: null };
  if (candidates.length === 0) return empty;

  const probes = candidates.filter((e) => e.type === "integration.probe_completed");
  if (probes.length === candidates.length) {
    // Fast path: nothing to lock or gate, one round trip (falls through when any id was seen before).
    if (await tryApplyProbeBatch({ pool: args.pool, probes, retention: args.retention, now })) {
      const newest = probes.reduce((m, e) => Math.max(m, Date.parse(e.time)), 0);
      return {
        applied: probes.length,
        duplicates: 0,
        stale,
        probes,
        newestEventAt: new Date(newest).toISOString(),
      };
    }
  }

  // Placeholders for every subject of the batch (harmless for duplicates: their rows already exist).
  const placeholders = new Map<string, { tenantId: string; type: IntegrationType }>();
  for (const e of candidates) {
    if (!placeholders.has(e.subject)) placeholders.set(e.subject, { tenantId: e.tenantid, type: typeOf(e) });
  }

  // Five round trips per batch: BEGIN, claim (dedupe, raw checks, placeholders), lock + read, one write, COMMIT.
  return inTransaction(args.pool, async (client) => {
    const fresh = await claimEvents(
      client,
      candidates.filter((e) => e.type !== "integration.probe_completed").map((e) => e.id),
      probes,
      placeholders,
    );
    const todo = candidates.filter((e) => fresh.has(e.id));
    const result: ApplyResult = { ...empty, duplicates: candidates.length - todo.length };
    if (todo.length === 0) return result;

    const ids = [...new Set(todo.map((e) => e.subject))].sort();
    const { rows, sequences } = await lockIntegrationRows(client, ids);
    const before = new Map([...rows].map(([id, r]) => [id, isCounted(r) ? countKey(r) : null]));

    const configState = todo.filter(isConfigState).sort((x, y) => x.sequence - y.sequence);
    const touchedSeqs = new Map<string, AppliedSequences>();
    for (const e of configState) {
      const row = rows.get(e.subject) ?? blankRow(e.subject, e.tenantid, typeOf(e));
      rows.set(e.subject, row);
      const key = `${e.subject}|${e.source}`;
      const seq: AppliedSequences = sequences.get(key) ?? {
        sequence: e.sequence,
        snapshotSequence: null,
        statusSequence: null,
      };
      sequences.set(key, seq);
      if (applyConfigState(row, seq, e)) touchedSeqs.set(key, seq);
    }
    const rollups = new RollupBatch(now - args.retention.minute * DAY_MS, now - args.retention.hour * DAY_MS);
    const lastSynced = new Map<string, string>();
    for (const e of todo) {
      if (e.type !== "integration.probe_completed") continue;
      const row = rows.get(e.subject);
      if (row) applyProbe(row, e);
      rollups.add(e);
      result.probes.push(e);
      if (e.data.success) {
        const prev = lastSynced.get(e.tenantid);
        if (!prev || Date.parse(e.data.checkedAt) > Date.parse(prev))
          lastSynced.set(e.tenantid, e.data.checkedAt);
      }
    }

    const b = new SqlBatch();
    writeIntegrationRows(
      b,
      ids.flatMap((id) => rows.get(id) ?? []),
    );
    writeSequences(b, touchedSeqs);
    writeCounts(b, before, rows);
    rollups.write(b);
    if (lastSynced.size > 0) {
      const tenants = [...lastSynced.keys()].sort();
      b.add(
        `INSERT INTO stats.tenant_state AS t (tenant_id, last_synced_at)
         SELECT * FROM unnest(${b.p(tenants, "text[]")}, ${b.p(
           tenants.map((t) => lastSynced.get(t)),
           "timestamptz[]",
         )})
         ON CONFLICT (tenant_id) DO UPDATE
         SET last_synced_at = GREATEST(t.last_synced_at, excluded.last_synced_at)`,
      );
    }
    const newest = todo.reduce((m, e) => Math.max(m, Date.parse(e.time)), 0);
    result.newestEventAt = new Date(newest).toISOString();
    result.applied = todo.length;
    b.add(
      `INSERT INTO stats.projection_state AS t (id, newest_event_at, events_applied, updated_at)
       VALUES (1, ${b.p(result.newestEventAt, "timestamptz")}, ${b.p(todo.length, "int8")}, now())
       ON CONFLICT (id) DO UPDATE SET newest_event_at = GREATEST(t.newest_event_at, excluded.newest_event_at),
         events_applied = t.events_applied + excluded.events_applied, updated_at = now()`,
    );
    await client.query(b.text(), b.params);
    return result;
  });
}

function typeOf(e: AnyEvent): IntegrationType {
  switch (e.type) {
    case "integration.created":
    case "integration.updated":
      return e.data.integration.type;
    case "integration.deleted":
      return e.data.integrationType;
    case "integration.probe_completed":
      return e.data.integrationType;
    default:
      return "API";
  }
}

function countKey(r: IntegrationRow): string {
  return JSON.stringify([r.tenantId, r.status, r.type]);
}

/** Incremental per-tenant counts: each touched row leaves its old (tenant, status, type) cell and joins its new one. */
function writeCounts(
  b: SqlBatch,
  before: Map<string, string | null>,
  rows: Map<string, IntegrationRow>,
): void {
  const delta = new Map<string, number>();
  for (const [id, row] of rows) {
    const was = before.get(id) ?? null;
    const now = isCounted(row) ? countKey(row) : null;
    if (was === now) continue;
    if (was) delta.set(was, (delta.get(was) ?? 0) - 1);
    if (now) delta.set(now, (delta.get(now) ?? 0) + 1);
  }
  const cells = [...delta.entries()].filter(([, d]) => d !== 0).sort(([x], [y]) => (x < y ? -1 : 1));
  if (cells.length === 0) return;
  const parts = cells.map(([k]) => JSON.parse(k) as [string, string, string]);
  b.add(
    `INSERT INTO stats.tenant_counts AS t (tenant_id, status, type, n)
     SELECT * FROM unnest(${b.p(
       parts.map((p) => p[0]),
       "text[]",
     )}, ${b.p(
       parts.map((p) => p[1]),
       "text[]",
     )}, ${b.p(
       parts.map((p) => p[2]),
       "text[]",
     )}, ${b.p(
       cells.map(([, d]) => d),
       "int[]",
     )})
     ON CONFLICT (tenant_id, status, type) DO UPDATE SET n = t.n + excluded.n`,
  );
}
