import type { EventProducer, OutgoingMessage } from "@hip/events";
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
};

/**
 * Publishes committed outbox rows to Kafka, at least once, in sequence order per integration.
 * Two replicas are safe: a relay transaction takes a transaction-scoped advisory lock per integration (so one
 * integration's rows are only ever published by one relay at a time, in order) and locks the rows it claims
 * (FOR UPDATE SKIP LOCKED). It publishes, then marks the rows published and commits; a crash in between
 * re-publishes the same event ids, which consumers dedupe. Wakes on NOTIFY at commit; polls as a fallback.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private lastCleanup = 0;
  private failures = 0;
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
      await this.cleanup();
    } catch (err) {
      this.failures++;
      this.opts.logger.error({ err, failures: this.failures }, "outbox relay pass failed");
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** this.failures, 5000)));
      this.again = true;
    }
  }

  /** One claim-publish-mark transaction. Returns how many rows were published. */
  async drainOnce(): Promise<number> {
    const { batchSize } = this.opts;
    const table = sql.raw(this.opts.table);
    return this.opts.withSystem(async (tx) => {
      const claimed = await tx.execute<ClaimedRow>(sql`
        with heads as materialized (
          select integration_id from ${table}
          where published_at is null
          group by integration_id
          order by min(position)
          limit ${batchSize}
        ), mine as materialized (
          select integration_id from heads
          where pg_try_advisory_xact_lock(hashtextextended(integration_id::text, ${this.opts.lockKey}))
        )
        select o.id, o.integration_id, o.topic, o.payload
        from ${table} o join mine using (integration_id)
        where o.published_at is null
        order by o.integration_id, o.sequence
        limit ${batchSize}
        for update of o skip locked`);
      const rows = claimed.rows;
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, OutgoingMessage[]>();
      for (const row of rows) {
        const list = byTopic.get(row.topic) ?? [];
        list.push({ key: row.integration_id, value: row.payload, headers: { "ce-id": row.id } });
        byTopic.set(row.topic, list);
      }
      await this.opts.producer.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      if (this.opts.crashAfterPublish) process.kill(process.pid, "SIGKILL");
      const ids = rows.map((r) => r.id);
      await tx.execute(
        sql`update ${table} set published_at = now(), attempts = attempts + 1
            where id in (${sql.join(
              ids.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})`,
      );
      return rows.length;
    });
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
