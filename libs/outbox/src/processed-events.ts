import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { SystemTx } from "./relay.ts";

/** Rows per DELETE: short transactions, few locks, no long pause of the consumer's inserts. */
export const PURGE_BATCH_ROWS = 5_000;

/**
 * Deletes at most `limit` rows of a consumer's dedupe table (`table`: schema-qualified, columns `event_id`,
 * `processed_at` with an index) processed before `olderThan`, oldest first, and returns how many. SKIP LOCKED:
 * replicas purging at the same time take different rows and never wait on each other.
 */
export async function purgeProcessedEventsBatch(
  withSystem: SystemTx,
  table: string,
  olderThan: Date,
  limit = PURGE_BATCH_ROWS,
): Promise<number> {
  const t = sql.raw(table);
  return withSystem(async (tx) => {
    const res = await tx.execute(
      sql`delete from ${t} where event_id in (
            select event_id from ${t}
            where processed_at < ${olderThan.toISOString()}::timestamptz
            order by processed_at limit ${limit}
            for update skip locked)`,
    );
    return res.rowCount ?? 0;
  });
}

export interface PurgerOptions {
  /** Schema-qualified dedupe table, e.g. `config.processed_events`. */
  table: string;
  withSystem: SystemTx;
  /** Keep ids this long: longer than the consumed topic keeps messages, so no redelivery finds its id gone. */
  retentionHours: number;
  logger: Logger;
  intervalMs?: number;
  batchRows?: number;
  /** Cap per run, so one run never holds the system pool for long; the next run continues. */
  maxBatchesPerRun?: number;
}

/**
 * Purges a processed_events table on a timer, in every replica that runs its consumer (safe concurrently: see
 * purgeProcessedEventsBatch). Each run deletes batches until one comes back short or the per-run cap is reached.
 */
export class ProcessedEventsPurger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;
  private readonly o: Required<PurgerOptions>;

  constructor(opts: PurgerOptions) {
    this.o = { intervalMs: 60_000, batchRows: PURGE_BATCH_ROWS, maxBatchesPerRun: 100, ...opts };
  }

  start(): void {
    this.stopped = false;
    // A random first delay spreads the replicas' runs.
    this.schedule(Math.floor(Math.random() * this.o.intervalMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One run: returns the rows deleted. */
  async runOnce(now = new Date()): Promise<number> {
    const olderThan = new Date(now.getTime() - this.o.retentionHours * 3_600_000);
    let total = 0;
    for (let i = 0; i < this.o.maxBatchesPerRun && !this.stopped; i++) {
      const n = await purgeProcessedEventsBatch(this.o.withSystem, this.o.table, olderThan, this.o.batchRows);
      total += n;
      if (n < this.o.batchRows) break;
    }
    if (total > 0)
      this.o.logger.info({ deleted: total, olderThan, table: this.o.table }, "purged processed events");
    return total;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce();
      this.running
        .catch((err: unknown) =>
          this.o.logger.warn({ err, table: this.o.table }, "processed events purge failed; next run retries"),
        )
        .finally(() => {
          this.running = null;
          this.schedule(this.o.intervalMs);
        });
    }, delay);
    this.timer.unref();
  }
}
