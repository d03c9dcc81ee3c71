import type { IntegrationProbeCompleted } from "@hip/contracts";
import type pg from "pg";
import { applyProbe, blankRow, type IntegrationRow } from "./reducer.ts";
import { DAY_MS, RollupBatch } from "./rollups.ts";
import { SqlBatch } from "./sql-batch.ts";
import { writeChecks } from "./sql.ts";

/** The first CTE (w0) counts already-applied ids (their raw check rows); every write is conditioned on none. */
const GUARD = "(SELECT n FROM w0) = 0";

/**
 * A batch of probe results only (the common case on the status topic) in ONE statement, i.e. one round trip and
 * one implicit transaction. Optimistic: it applies only if NONE of the ids was applied before (w0 reads their raw
 * check rows, which are the claim of a probe result); otherwise nothing is written and it answers false, and the
 * caller takes the general path, which dedupes event by event. The claim (the check rows' insert) has no
 * ON CONFLICT on purpose: a concurrent duplicate (a rebalance) aborts the statement with a unique violation
 * instead of being counted twice. Every probe passed must be newer than the stale cutoff (applyEvents filters).
 *
 * No row lock is needed: every current-view field a probe sets is a max (newest check wins), so the upsert is
 * order-independent and idempotent; it creates an unknown row when probes arrive before the snapshot.
 * Tests compare this path with the general one, table by table.
 */
export async function tryApplyProbeBatch(args: {
  pool: pg.Pool;
  probes: IntegrationProbeCompleted[];
  retention: { raw: number; minute: number; hour: number };
  now: number;
}): Promise<boolean> {
  const { probes, now } = args;
  if (probes.length === 0) return true;
  const b = new SqlBatch();
  const ids = b.p(
    probes.map((p) => p.id),
    "uuid[]",
  );
  // A count, not `SELECT 1 … LIMIT 1`: with LIMIT 1 the planner expects one of the ~200 ids to match early and,
  // at tens of thousands of rows, chose a sequential scan of the whole table that finds nothing (the usual case);
  // counting all matches keeps it on the primary key (~200 index probes) at any table size.
  b.add(`SELECT count(*) AS n FROM stats.checks WHERE event_id = ANY(${ids})`);
  const claim = writeChecks(b, probes, { guard: GUARD, onDuplicate: "abort" });

  // The newest check per integration, folded in memory exactly as the general path does.
  const rows = new Map<string, IntegrationRow>();
  for (const e of probes) {
    const row = rows.get(e.subject) ?? blankRow(e.subject, e.tenantid, e.data.integrationType);
    applyProbe(row, e);
    rows.set(e.subject, row);
  }
  const view = [...rows.values()].sort((x, y) => (x.integrationId < y.integrationId ? -1 : 1));
  const col = <K extends keyof IntegrationRow>(k: K, cast: string) =>
    b.p(
      view.map((r) => r[k]),
      cast,
    );
  b.add(
    `INSERT INTO stats.integrations AS t (integration_id, tenant_id, type, last_check_at, last_check_success,
       last_latency_ms, last_success_at, last_error_at, last_error)
     SELECT * FROM unnest(${col("integrationId", "uuid[]")}, ${col("tenantId", "text[]")}, ${col("type", "text[]")},
       ${col("lastCheckAt", "timestamptz[]")}, ${col("lastCheckSuccess", "bool[]")}, ${col("lastLatencyMs", "float8[]")},
       ${col("lastSuccessAt", "timestamptz[]")}, ${col("lastErrorAt", "timestamptz[]")}, ${col("lastError", "text[]")})
     WHERE ${GUARD}
     ON CONFLICT (integration_id) DO UPDATE SET
       last_check_success = CASE WHEN t.last_check_at IS NULL OR excluded.last_check_at > t.last_check_at
         THEN excluded.last_check_success ELSE t.last_check_success END,
       last_latency_ms = CASE WHEN t.last_check_at IS NULL OR excluded.last_check_at > t.last_check_at
         THEN excluded.last_latency_ms ELSE t.last_latency_ms END,
       last_check_at = GREATEST(t.last_check_at, excluded.last_check_at),
       last_success_at = GREATEST(t.last_success_at, excluded.last_success_at),
       last_error = CASE WHEN excluded.last_error_at IS NOT NULL
           AND (t.last_error_at IS NULL OR excluded.last_error_at > t.last_error_at)
         THEN excluded.last_error ELSE t.last_error END,
       last_error_at = GREATEST(t.last_error_at, excluded.last_error_at),
       updated_at = now()`,
  );
  const rollups = new RollupBatch(now - args.retention.minute * DAY_MS, now - args.retention.hour * DAY_MS);
  for (const p of probes) rollups.add(p);
  rollups.write(b, GUARD);

  const synced = new Map<string, number>();
  for (const p of probes) {
    if (p.data.success)
      synced.set(p.tenantid, Math.max(synced.get(p.tenantid) ?? 0, Date.parse(p.data.checkedAt)));
  }
  if (synced.size > 0) {
    const tenants = [...synced.keys()].sort();
    const times = tenants.map((t) => new Date(synced.get(t) ?? 0).toISOString());
    b.add(
      `INSERT INTO stats.tenant_state AS t (tenant_id, last_synced_at)
       SELECT * FROM unnest(${b.p(tenants, "text[]")}, ${b.p(times, "timestamptz[]")}) WHERE ${GUARD}
       ON CONFLICT (tenant_id) DO UPDATE SET last_synced_at = GREATEST(t.last_synced_at, excluded.last_synced_at)`,
    );
  }
  const newest = new Date(probes.reduce((m, e) => Math.max(m, Date.parse(e.time)), 0)).toISOString();
  b.add(
    `INSERT INTO stats.projection_state AS t (id, newest_event_at, events_applied, updated_at)
     SELECT 1, ${b.p(newest, "timestamptz")}, ${b.p(probes.length, "int8")}, now() WHERE ${GUARD}
     ON CONFLICT (id) DO UPDATE SET newest_event_at = GREATEST(t.newest_event_at, excluded.newest_event_at),
       events_applied = t.events_applied + excluded.events_applied, updated_at = now()`,
  );
  const text = b.text(`SELECT count(*)::int AS claimed FROM ${claim}`);
  try {
    const { rows: out } = await args.pool.query<{ claimed: number }>(text, b.params);
    return (out[0]?.claimed ?? 0) === probes.length;
  } catch (err) {
    if ((err as { code?: string }).code === "23505") return false;
    throw err;
  }
}
