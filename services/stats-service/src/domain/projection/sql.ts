import type { IntegrationProbeCompleted, IntegrationStatus, IntegrationType } from "@hip/contracts";
import type pg from "pg";
import type { AppliedSequences, IntegrationRow } from "./reducer.ts";
import { SqlBatch } from "./sql-batch.ts";

const isoOrNull = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

interface DbRow {
  integration_id: string;
  tenant_id: string;
  known: boolean;
  name: string;
  type: string;
  provider: string | null;
  status: string;
  status_since: Date | null;
  deleted_at: Date | null;
  last_check_at: Date | null;
  last_check_success: boolean | null;
  last_latency_ms: number | null;
  last_success_at: Date | null;
  last_error_at: Date | null;
  last_error: string | null;
  seqs: Array<{ source: string; sequence: number; snapshot: number | null; status: number | null }> | null;
}

/**
 * Dedupe and placeholders in one statement: claims the batch's events (returning the ids never seen) and makes
 * sure a current-view row exists for every subject (an unknown placeholder if none). A probe result is claimed by
 * its raw check row (`stats.checks`, primary key event_id), other events by `processed_events`: one insert per
 * probe result instead of two. Creating rows first matters: two replicas touching a brand-new integration (its
 * config and status partitions may live on different replicas) then serialise on the row lock instead of both
 * computing from "no row".
 */
export async function claimEvents(
  client: pg.PoolClient,
  eventIds: string[],
  probes: IntegrationProbeCompleted[],
  placeholders: Map<string, { tenantId: string; type: IntegrationType }>,
): Promise<Set<string>> {
  const ids = [...placeholders.keys()].sort();
  const b = new SqlBatch();
  const claimed = [
    b.add(
      `INSERT INTO stats.processed_events (event_id) SELECT unnest(${b.p(eventIds, "uuid[]")})
       ON CONFLICT DO NOTHING RETURNING event_id`,
    ),
  ];
  const checks = writeChecks(b, probes);
  if (checks) claimed.push(checks);
  b.add(
    `INSERT INTO stats.integrations (integration_id, tenant_id, type)
     SELECT * FROM unnest(${b.p(ids, "uuid[]")}, ${b.p(
       ids.map((id) => placeholders.get(id)?.tenantId ?? ""),
       "text[]",
     )}, ${b.p(
       ids.map((id) => placeholders.get(id)?.type ?? "API"),
       "text[]",
     )}) ON CONFLICT DO NOTHING`,
  );
  const { rows } = await client.query<{ event_id: string }>(
    b.text(claimed.map((w) => `SELECT event_id FROM ${w}`).join(" UNION ALL ")),
    b.params,
  );
  return new Set(rows.map((r) => r.event_id));
}

/** Locks the rows of `ids` (sorted: a single lock order across replicas) and reads them with their sequences. */
export async function lockIntegrationRows(
  client: pg.PoolClient,
  ids: string[],
): Promise<{ rows: Map<string, IntegrationRow>; sequences: Map<string, AppliedSequences> }> {
  const { rows } = await client.query<DbRow>(
    `SELECT i.integration_id, i.tenant_id, i.known, i.name, i.type, i.provider, i.status, i.status_since,
            i.deleted_at, i.last_check_at, i.last_check_success, i.last_latency_ms, i.last_success_at,
            i.last_error_at, i.last_error,
            (SELECT json_agg(json_build_object('source', a.source, 'sequence', a.sequence,
                     'snapshot', a.snapshot_sequence, 'status', a.status_sequence))
             FROM stats.applied_sequences a WHERE a.integration_id = i.integration_id) AS seqs
     FROM stats.integrations i WHERE i.integration_id = ANY($1::uuid[]) ORDER BY i.integration_id FOR UPDATE OF i`,
    [ids],
  );
  const sequences = new Map<string, AppliedSequences>();
  for (const r of rows) {
    for (const s of r.seqs ?? []) {
      sequences.set(`${r.integration_id}|${s.source}`, {
        sequence: Number(s.sequence),
        snapshotSequence: s.snapshot === null ? null : Number(s.snapshot),
        statusSequence: s.status === null ? null : Number(s.status),
      });
    }
  }
  const map = new Map(
    rows.map((r) => [
      r.integration_id,
      {
        integrationId: r.integration_id,
        tenantId: r.tenant_id,
        known: r.known,
        name: r.name,
        type: r.type as IntegrationType,
        provider: r.provider,
        status: r.status as IntegrationStatus,
        statusSince: isoOrNull(r.status_since),
        deletedAt: isoOrNull(r.deleted_at),
        lastCheckAt: isoOrNull(r.last_check_at),
        lastCheckSuccess: r.last_check_success,
        lastLatencyMs: r.last_latency_ms,
        lastSuccessAt: isoOrNull(r.last_success_at),
        lastErrorAt: isoOrNull(r.last_error_at),
        lastError: r.last_error,
      },
    ]),
  );
  return { rows: map, sequences };
}

export function writeIntegrationRows(b: SqlBatch, rows: IntegrationRow[]): void {
  if (rows.length === 0) return;
  const col = <K extends keyof IntegrationRow>(k: K, cast: string) =>
    b.p(
      rows.map((r) => r[k]),
      cast,
    );
  b.add(
    `UPDATE stats.integrations i SET tenant_id = v.tenant_id, known = v.known, name = v.name, type = v.type,
       provider = v.provider, status = v.status, status_since = v.status_since, deleted_at = v.deleted_at,
       last_check_at = v.last_check_at, last_check_success = v.last_check_success,
       last_latency_ms = v.last_latency_ms, last_success_at = v.last_success_at, last_error_at = v.last_error_at,
       last_error = v.last_error, updated_at = now()
     FROM unnest(${col("integrationId", "uuid[]")}, ${col("tenantId", "text[]")}, ${col("known", "bool[]")},
                 ${col("name", "text[]")}, ${col("type", "text[]")}, ${col("provider", "text[]")},
                 ${col("status", "text[]")}, ${col("statusSince", "timestamptz[]")},
                 ${col("deletedAt", "timestamptz[]")}, ${col("lastCheckAt", "timestamptz[]")},
                 ${col("lastCheckSuccess", "bool[]")}, ${col("lastLatencyMs", "float8[]")},
                 ${col("lastSuccessAt", "timestamptz[]")}, ${col("lastErrorAt", "timestamptz[]")},
                 ${col("lastError", "text[]")})
       AS v(integration_id, tenant_id, known, name, type, provider, status, status_since, deleted_at,
            last_check_at, last_check_success, last_latency_ms, last_success_at, last_error_at, last_error)
     WHERE i.integration_id = v.integration_id`,
  );
}

/** Applied sequences keyed `${integrationId}|${source}`. */
export function writeSequences(b: SqlBatch, seqs: Map<string, AppliedSequences>): void {
  if (seqs.size === 0) return;
  const entries = [...seqs.entries()].sort(([x], [y]) => (x < y ? -1 : 1));
  const key = entries.map(([k]) => [k.slice(0, k.indexOf("|")), k.slice(k.indexOf("|") + 1)] as const);
  const ids = b.p(
    key.map((k) => k[0]),
    "uuid[]",
  );
  const sources = b.p(
    key.map((k) => k[1]),
    "text[]",
  );
  const seq = b.p(
    entries.map(([, v]) => v.sequence),
    "int8[]",
  );
  const snapshot = b.p(
    entries.map(([, v]) => v.snapshotSequence),
    "int8[]",
  );
  const status = b.p(
    entries.map(([, v]) => v.statusSequence),
    "int8[]",
  );
  b.add(
    `INSERT INTO stats.applied_sequences AS t (integration_id, source, sequence, snapshot_sequence, status_sequence)
     SELECT * FROM unnest(${ids}, ${sources}, ${seq}, ${snapshot}, ${status})
     ON CONFLICT (integration_id, source) DO UPDATE SET sequence = excluded.sequence,
       snapshot_sequence = excluded.snapshot_sequence, status_sequence = excluded.status_sequence`,
  );
}

/**
 * The raw check rows, returning the event ids inserted (the claim of a probe result: see claimEvents). `guard`: an
 * optional SQL condition every row must meet (the fast path's "no duplicate" check); `onDuplicate: "abort"` makes
 * an id inserted meanwhile by another transaction fail the statement (unique violation) instead of being skipped.
 * Returns the CTE's name, or null when there is nothing to write.
 */
export function writeChecks(
  b: SqlBatch,
  probes: IntegrationProbeCompleted[],
  opts: { guard?: string; onDuplicate?: "skip" | "abort" } = {},
): string | null {
  if (probes.length === 0) return null;
  const d = probes.map((p) => p.data);
  const cols = [
    b.p(
      probes.map((p) => p.id),
      "uuid[]",
    ),
    b.p(
      d.map((r) => r.integrationId),
      "uuid[]",
    ),
    b.p(
      probes.map((p) => p.tenantid),
      "text[]",
    ),
    b.p(
      d.map((r) => r.integrationType),
      "text[]",
    ),
    b.p(
      d.map((r) => r.checkedAt),
      "timestamptz[]",
    ),
    b.p(
      d.map((r) => r.success),
      "bool[]",
    ),
    b.p(
      d.map((r) => r.latencyMs),
      "float8[]",
    ),
    b.p(
      d.map((r) => r.trigger),
      "text[]",
    ),
    b.p(
      d.map((r) => r.error?.code ?? null),
      "text[]",
    ),
    b.p(
      d.map((r) => r.error?.message ?? null),
      "text[]",
    ),
  ];
  return b.add(
    `INSERT INTO stats.checks (event_id, integration_id, tenant_id, type, checked_at, success, latency_ms, trigger,
       error_code, error_message)
     SELECT * FROM unnest(${cols.join(", ")}) WHERE ${opts.guard ?? "TRUE"}
     ${opts.onDuplicate === "abort" ? "" : "ON CONFLICT (event_id) DO NOTHING"} RETURNING event_id`,
  );
}
