import type { Logger } from "pino";
import type pg from "pg";
import type { RetentionDays } from "../domain/projection/apply-events.ts";
import type { StatsMetrics } from "../metrics/metrics.ts";

const LOCK_KEY = 3_003_002;
const CHUNK = 10_000;

/**
 * Deletes raw checks, roll-ups and dedupe ids past their retention, in chunks (short transactions, no long
 * locks). Ids of events other than probe results are kept as long as the longest-lived table that counted them
 * (RETENTION_HOUR_DAYS), so a redelivered event can never be counted twice. A probe result's dedupe record is its
 * raw check, and results older than its window are not applied (applyEvents' stale cutoff). One replica at a time
 * (advisory lock).
 */
export async function pruneOnce(args: {
  pool: pg.Pool;
  retention: RetentionDays;
  metrics?: StatsMetrics;
}): Promise<Record<string, number>> {
  const { pool, retention } = args;
  const plan: Array<[table: string, column: string, days: number]> = [
    ["checks", "checked_at", retention.raw],
    ["rollup_minute", "bucket", retention.minute],
    ["tenant_rollup_minute", "bucket", retention.minute],
    ["rollup_hour", "bucket", retention.hour],
    ["tenant_rollup_hour", "bucket", retention.hour],
    ["processed_events", "processed_at", Math.max(retention.raw, retention.minute, retention.hour)],
  ];
  const client = await pool.connect();
  const deleted: Record<string, number> = {};
  try {
    const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [LOCK_KEY]);
    if (!rows[0]?.ok) return deleted;
    try {
      for (const [table, column, days] of plan) {
        deleted[table] = 0;
        for (;;) {
          const r = await client.query(
            `DELETE FROM stats.${table} WHERE ctid = ANY(ARRAY(
               SELECT ctid FROM stats.${table} WHERE ${column} < now() - make_interval(days => $1) LIMIT ${CHUNK}))`,
            [days],
          );
          const n = r.rowCount ?? 0;
          deleted[table] += n;
          args.metrics?.retentionDeleted.inc({ table }, n);
          if (n < CHUNK) break;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return deleted;
}

export function startRetentionJob(args: {
  pool: pg.Pool;
  retention: RetentionDays;
  intervalMs: number;
  logger: Logger;
  metrics?: StatsMetrics;
}): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const run = () => {
    running = pruneOnce(args).then(
      (deleted) => args.logger.info({ deleted }, "retention pruning done"),
      (err: unknown) => args.logger.error({ err }, "retention pruning failed"),
    );
  };
  const first = setTimeout(run, Math.min(60_000, args.intervalMs));
  const timer = setInterval(run, args.intervalMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
