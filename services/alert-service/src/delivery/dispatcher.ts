import { ALERT_JOB_CATALOG } from "@hip/contracts";
import type { PgNotifications } from "@hip/outbox";
import type { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import { type Db, withSystem } from "../db/client.ts";
import { DELIVERY_CHANNEL } from "../domain/deliveries/plan.ts";

export interface DispatcherOptions {
  db: Db;
  queue: Pick<Queue, "addBulk">;
  notifications: PgNotifications | null;
  logger: Logger;
  pollMs: number;
  /** A pending delivery overdue by this much (or a sending one whose lease expired this long ago) is re-added. */
  requeueAfterMs: number;
  batchSize?: number;
}

/**
 * Moves committed delivery rows into the BullMQ queue, job id = delivery key. Rows are claimed with FOR UPDATE
 * SKIP LOCKED (replicas share the work) and marked `enqueued_at` in the same transaction after the add: a crash
 * in between re-adds the same ids, which BullMQ ignores while the job exists. Rows whose job went missing (Redis
 * lost, a job removed after stalling) are re-added once overdue, so nothing depends on Redis keeping a job.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private failures = 0;
  private readonly o: DispatcherOptions;
  private readonly onNotify = () => this.kick();

  constructor(o: DispatcherOptions) {
    this.o = o;
  }

  start(): void {
    this.o.notifications?.on(DELIVERY_CHANNEL, this.onNotify);
    this.o.notifications?.on("reconnected", this.onNotify);
    this.timer = setInterval(() => this.kick(), this.o.pollMs);
    this.kick();
  }

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
      while (!this.stopped && (await this.dispatchOnce()) > 0) {
        // drain the backlog
      }
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.o.logger.error({ err, failures: this.failures }, "delivery dispatch failed");
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** this.failures, 5000)));
      this.again = true;
    }
  }

  /** One claim-add-mark transaction; returns how many rows were enqueued. */
  async dispatchOnce(): Promise<number> {
    const limit = this.o.batchSize ?? 500;
    const grace = this.o.requeueAfterMs / 1000;
    return withSystem(this.o.db, async (tx) => {
      const res = await tx.execute<{ key: string; next_attempt_at: Date }>(sql`
        select key, next_attempt_at from alerts.deliveries
        where (state = 'pending' and (enqueued_at is null
                 or (next_attempt_at < now() - make_interval(secs => ${grace})
                     and enqueued_at < now() - make_interval(secs => ${grace}))))
           or (state = 'sending' and lease_until < now() - make_interval(secs => ${grace})
               and enqueued_at < now() - make_interval(secs => ${grace}))
        order by next_attempt_at
        limit ${limit}
        for update skip locked`);
      const rows = res.rows;
      if (rows.length === 0) return 0;
      const now = Date.now();
      await this.o.queue.addBulk(
        rows.map((r) => ({
          name: "deliver",
          data: { key: r.key },
          opts: {
            ...ALERT_JOB_CATALOG.deliver.opts,
            jobId: r.key,
            delay: Math.max(0, new Date(r.next_attempt_at).getTime() - now),
          },
        })),
      );
      await tx.execute(sql`
        update alerts.deliveries set enqueued_at = now()
        where key in (${sql.join(
          rows.map((r) => sql`${r.key}`),
          sql`, `,
        )})`);
      return rows.length;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.o.notifications?.off(DELIVERY_CHANNEL, this.onNotify);
    this.o.notifications?.off("reconnected", this.onNotify);
    await this.running;
  }
}
