import { ALERT_JOB_CATALOG } from "@hip/contracts";
import type { PgNotifications } from "@hip/outbox";
import type { Queue } from "bullmq";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
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
 * Moves committed delivery rows into the BullMQ queue, job id = delivery key (BullMQ ignores an add while a job
 * with that id exists). Rows whose job went missing (a crash between marking and adding, Redis lost, a job
 * removed after stalling) are re-added once overdue, so nothing depends on Redis keeping a job. Runs on the
 * system pool, whose sessions carry the RLS bypass.
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

  /**
   * One pass: mark up to `batchSize` due rows enqueued (one statement, SKIP LOCKED so replicas share the work),
   * then add their jobs. A crash between the two leaves rows marked but without a job: the repair condition
   * re-adds them once overdue by requeueAfterMs, so nothing is lost, only delayed. No lock is held during the
   * Redis call, so workers claiming rows never wait for the dispatcher.
   */
  async dispatchOnce(): Promise<number> {
    const limit = this.o.batchSize ?? 500;
    const grace = this.o.requeueAfterMs / 1000;
    const res = await this.o.db.execute<{ key: string; next_attempt_at: string | Date }>(sql`
      update alerts.deliveries set enqueued_at = clock_timestamp()
      where key in (
        select key from alerts.deliveries
        where (state = 'pending' and (enqueued_at is null
                 or (next_attempt_at < now() - make_interval(secs => ${grace})
                     and enqueued_at < now() - make_interval(secs => ${grace}))))
           or (state = 'sending' and lease_until < now() - make_interval(secs => ${grace})
               and enqueued_at < now() - make_interval(secs => ${grace}))
        order by next_attempt_at
        limit ${limit}
        for update skip locked)
      returning key, next_attempt_at`);
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
    return rows.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.o.notifications?.off(DELIVERY_CHANNEL, this.onNotify);
    this.o.notifications?.off("reconnected", this.onNotify);
    await this.running;
  }
}
