import { randomUUID } from "node:crypto";
import { type EventProducer, type OutgoingMessage, withDeadline } from "@hip/events";
import { sql } from "drizzle-orm";
import type { NodePgQueryResultHKT } from "drizzle-orm/node-postgres";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { Logger } from "pino";
import type { PgNotifications } from "./pg-notifications.ts";

/** Runs statements in one transaction with the RLS bypass the outbox needs (each service's `withSystem`). */
export type SystemTx = <T>(
  fn: (tx: Pick<PgDatabase<NodePgQueryResultHKT>, "execute">) => Promise<T>,
) => Promise<T>;

export interface RelayOptions {
  /** Schema-qualified outbox table, e.g. `config.outbox` (columns: id, position, integration_id, sequence,
   * topic, payload, created_at, published_at, attempts). */
  table: string;
  /** The NOTIFY channel the enqueueing transactions signal on commit. */
  channel: string;
  /** Key for the per-integration advisory lock, distinct per service (so two services never contend). */
  lockKey: number;
  withSystem: SystemTx;
  producer: Pick<EventProducer, "sendBatch">;
  notifications: PgNotifications | null;
  logger: Logger;
  pollMs: number;
  batchSize: number;
  /** Test hook: die between publish and mark, to prove at-least-once delivery. */
  crashAfterPublish?: boolean;
  /** Published rows older than this are deleted (consumers dedupe within it). */
  retentionMs?: number;
  /** Deadline of one broker send (OUTBOX_SEND_TIMEOUT_MS, default 5 s); must be well below `leaseMs`. */
  sendTimeoutMs?: number;
  /** How long claimed rows stay this relay's (OUTBOX_LEASE_MS, default 30 s); a crashed relay's lapse then. */
  leaseMs?: number;
}

export interface OutboxBacklog {
  rows: number;
  oldestAgeSeconds: number;
}

/**
 * Committed, unpublished rows of an outbox table and the age of the oldest (0 when drained), for metrics. Works
 * without a relay in this process (a replica with the relay disabled still reports the fleet's backlog).
 */
export async function outboxBacklog(withSystem: SystemTx, table: string): Promise<OutboxBacklog> {
  const res = await withSystem((tx) =>
    tx.execute<{ n: string; age: string | null }>(
      sql`select count(*)::text as n, extract(epoch from now() - min(created_at))::text as age
          from ${sql.raw(table)} where published_at is null`,
    ),
  );
  return { rows: Number(res.rows[0]?.n ?? 0), oldestAgeSeconds: Math.max(0, Number(res.rows[0]?.age ?? 0)) };
}

type ClaimedRow = {
  id: string;
  integration_id: string;
  topic: string;
  payload: Record<string, unknown>;
  sequence: string;
};

/**
 * Publishes committed outbox rows to Kafka, at least once, in sequence order per integration, without holding a
 * Postgres transaction across the broker call (decision 0821):
 *   1. claim (short transaction): per-integration advisory lock, then lease the oldest unpublished rows of
 *      integrations no other relay holds a live lease on (`claimed_by`, `claimed_until`);
 *   2. send, outside any transaction, with a deadline shorter than the lease;
 *   3. mark published (short transaction), or release the lease when the send failed.
 * One relay owns an integration's pending rows until it marks or releases them, so order holds with several
 * replicas. A relay that dies mid-send leaves leased rows that any relay claims again once the lease lapses; a
 * re-send carries the same event ids, which consumers dedupe. Wakes on NOTIFY at commit; polls as a fallback.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastCleanup = 0;
  private failures = 0;
  private lastSuccessAt: number | null = null;
  private lastError: string | null = null;
  /** This relay's identity in `claimed_by` (one per process start). */
  readonly relayId = randomUUID();
  private readonly opts: RelayOptions;
  private readonly onNotify = () => this.kick();

  constructor(opts: RelayOptions) {
    this.opts = opts;
  }

  start(): void {
    this.opts.notifications?.on(this.opts.channel, this.onNotify);
    this.opts.notifications?.on("reconnected", this.onNotify);
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.kick();
  }

  /** Drains now; concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async loop(): Promise<void> {
    try {
      while (!this.stopped && (await this.drainOnce()) > 0) {
        // keep going while there is a backlog
      }
      this.failures = 0;
      this.lastError = null;
      await this.cleanup();
    } catch (err) {
      this.failures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      this.opts.logger.error({ err, failures: this.failures }, "outbox relay pass failed");
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** this.failures, 5000)));
      this.again = true;
    }
  }

  /** One claim-send-mark round. Returns how many rows were published. */
  async drainOnce(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    const ids = rows.map((r) => r.id);
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const row of rows) {
      const list = byTopic.get(row.topic) ?? [];
      list.push({ key: row.integration_id, value: row.payload, headers: { "ce-id": row.id } });
      byTopic.set(row.topic, list);
    }
    try {
      await withDeadline(
        this.opts.producer.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages }))),
        this.opts.sendTimeoutMs ?? 5_000,
        "outbox send",
      );
    } catch (err) {
      await this.release(ids).catch(() => undefined);
      throw err;
    }
    if (this.opts.crashAfterPublish) process.kill(process.pid, "SIGKILL");
    const table = sql.raw(this.opts.table);
    await this.opts.withSystem((tx) =>
      tx.execute(
        sql`update ${table} set published_at = now(), attempts = attempts + 1, claimed_until = null,
              claimed_by = null
            where id = any(${uuidArray(ids)})`,
      ),
    );
    this.lastSuccessAt = Date.now();
    return rows.length;
  }

  /**
   * Leases the next rows in one short transaction. The advisory lock serializes claimers of one integration;
   * the lease check runs in a second statement, whose snapshot is taken after the lock, so it sees a lease
   * another relay committed just before. Rows come back in (integration, sequence) order.
   */
  private async claim(): Promise<ClaimedRow[]> {
    const { batchSize } = this.opts;
    const table = sql.raw(this.opts.table);
    const me = this.relayId;
    const leaseSecs = (this.opts.leaseMs ?? 30_000) / 1000;
    const rows = await this.opts.withSystem(async (tx) => {
      const locked = await tx.execute<{ integration_id: string }>(sql`
        with heads as materialized (
          select integration_id from ${table}
          where published_at is null
          group by integration_id
          having not coalesce(bool_or(claimed_until > now() and claimed_by <> ${me}), false)
          order by min(position)
          limit ${batchSize}
        )
        select integration_id from heads
        where pg_try_advisory_xact_lock(hashtextextended(integration_id::text, ${this.opts.lockKey}))`);
      const mine = locked.rows.map((r) => r.integration_id);
      if (mine.length === 0) return [];
      const claimed = await tx.execute<ClaimedRow>(sql`
        with free as (
          select m.integration_id from unnest(${uuidArray(mine)}) as m(integration_id)
          where not exists (
            select 1 from ${table} o
            where o.integration_id = m.integration_id and o.published_at is null
              and o.claimed_until > now() and o.claimed_by <> ${me})
        ), picked as (
          select o.id from ${table} o join free using (integration_id)
          where o.published_at is null
          order by o.integration_id, o.sequence
          limit ${batchSize}
          for update of o
        )
        update ${table} t
        set claimed_until = now() + make_interval(secs => ${leaseSecs}), claimed_by = ${me}
        from picked where t.id = picked.id
        returning t.id, t.integration_id, t.topic, t.payload, t.sequence::text as sequence`);
      return claimed.rows;
    });
    return rows.sort((a, b) =>
      a.integration_id === b.integration_id
        ? Number(BigInt(a.sequence) - BigInt(b.sequence))
        : a.integration_id < b.integration_id
          ? -1
          : 1,
    );
  }

  /** Gives rows back after a failed send, so the next pass (of any relay) retries them at once. */
  private async release(ids: string[]): Promise<void> {
    const table = sql.raw(this.opts.table);
    await this.opts.withSystem((tx) =>
      tx.execute(
        sql`update ${table} set claimed_until = null, claimed_by = null
            where id = any(${uuidArray(ids)}) and claimed_by = ${this.relayId} and published_at is null`,
      ),
    );
  }

  /**
   * What /health/details shows about this relay; not ok while rows wait and the last pass failed (the broker
   * does not take them), so /ready tells that nothing is being published.
   */
  async health() {
    const { rows: backlog, oldestAgeSeconds } = await this.backlog();
    const stuck = backlog > 0 && this.lastError !== null;
    return {
      ok: !stuck,
      reason: stuck ? `${backlog} events not published: ${this.lastError}` : null,
      backlog,
      oldestAgeSeconds,
      lastSuccessAt: this.lastSuccessAt ? new Date(this.lastSuccessAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  private async cleanup(): Promise<void> {
    const retention = this.opts.retentionMs ?? 7 * 24 * 3600_000;
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    const table = sql.raw(this.opts.table);
    await this.opts.withSystem((tx) =>
      tx.execute(
        sql`delete from ${table} where published_at < now() - make_interval(secs => ${retention / 1000})`,
      ),
    );
  }

  /** Committed, unpublished rows and the age of the oldest (see outboxBacklog). */
  backlog(): Promise<OutboxBacklog> {
    return outboxBacklog(this.opts.withSystem, this.opts.table);
  }

  /** Stops waking up and waits for the pass in flight (its rows are either marked or re-published later). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.opts.notifications?.off(this.opts.channel, this.onNotify);
    this.opts.notifications?.off("reconnected", this.onNotify);
    await this.running;
  }
}

function uuidArray(ids: string[]) {
  return sql`${`{${ids.join(",")}}`}::uuid[]`;
}
