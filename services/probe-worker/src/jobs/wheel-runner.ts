import type { Logger } from "pino";
import { type CheckWheel, type ClaimedCheck, leaseMember } from "../domain/check-wheel.ts";
import type { TenantSlots } from "../domain/tenant-slots.ts";

export interface WheelRunnerOptions {
  wheel: CheckWheel;
  /** Runs one scheduled check; resolves when its result is buffered (or it was skipped), throws on an
   * infrastructure failure (the slot is then released and claimed again after `retryMs`). */
  run: (check: ClaimedCheck) => Promise<void>;
  tenantSlots: TenantSlots;
  /** Scheduled checks this process runs at once. */
  concurrency: number;
  /** Lease of a claimed slot; renewed every third of it while the check waits or runs. */
  leaseMs: number;
  /** How often the wheel is polled when nothing wakes it earlier. */
  pollMs: number;
  /** Most slots claimed in one round trip. */
  claimBatch: number;
  /** A slot claimed later than this moves its schedule by its lateness, in whole seconds (decision 0275). */
  rephaseAfterMs?: number;
  /** Delay before a slot whose check failed on our own infrastructure is claimed again. */
  retryMs: number;
  logger: Logger;
  onSuperseded?: (check: ClaimedCheck) => void;
  /** How many slots of a claim were claimed later than `rephaseAfterMs` (their schedules moved). */
  onRephased?: (count: number) => void;
  onError?: (what: string, err: unknown) => void;
}

/**
 * Runs the wheel's due checks in this process: claims many due slots per Redis round trip, queues them per tenant
 * and starts them round-robin across tenants, each tenant holding at most its share of the slots (TenantSlots).
 * A tenant whose checks hang (a dead VPN) only delays its own checks: others' keep being claimed and started.
 * While a tenant's check waits here, a newer slot of the same integration replaces it (at most one waiting check
 * per integration; the older slot is acknowledged as superseded), so a stuck tenant cannot grow the queue.
 */
export class WheelRunner {
  private readonly o: WheelRunnerOptions;
  /** Waiting checks per tenant, and the tenants in round-robin order. */
  private readonly waiting = new Map<string, ClaimedCheck[]>();
  private readonly order: string[] = [];
  private cursor = 0;
  /** The waiting check of each integration (for superseding). */
  private readonly waitingByIntegration = new Map<string, ClaimedCheck>();
  private waitingCount = 0;
  /** Lease members of running checks. */
  private readonly running = new Set<string>();
  private pendingAcks: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private ticking = false;
  private wakeAgain = false;
  /** The last claim took as many slots as it asked for: more may be due, so a freed slot claims at once. */
  private moreDue = false;
  private stopped = true;
  private readonly idle: Array<() => void> = [];
  private lastErrorLogAt = 0;

  constructor(opts: WheelRunnerOptions) {
    this.o = opts;
  }

  get inFlight(): number {
    return this.running.size;
  }

  get queued(): number {
    return this.waitingCount;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.o.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /**
   * Stops claiming, gives waiting checks back at once (another worker claims them), lets running ones finish
   * for up to `drainMs`, then gives back the rest. Nothing is lost: a slot not acknowledged is claimed again.
   */
  async stop(drainMs: number): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const waiting = this.takeAllWaiting();
    await this.o.wheel
      .release(waiting.map((c) => leaseMember(c.integrationId, c.dueAt)))
      .catch(() => undefined);
    if (this.running.size > 0) {
      const done = new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.race([done, new Promise((r) => setTimeout(r, drainMs).unref())]);
    }
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    await this.flushAcks();
    if (this.running.size > 0) {
      this.o.logger.warn(
        { running: this.running.size },
        "checks still running at shutdown; their slots are released",
      );
      await this.o.wheel.release([...this.running]).catch(() => undefined);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.wakeAgain = true;
      return;
    }
    if (this.timer) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.ticking = true;
    let full = false;
    try {
      await this.flushAcks();
      const want = Math.min(this.o.claimBatch, this.o.concurrency * 2 - this.running.size - this.startable());
      if (want > 0) {
        const claimed = await this.o.wheel.claim(want, this.o.leaseMs, this.o.rephaseAfterMs);
        let moved = 0;
        for (const c of claimed) if (c.moved) moved++;
        if (moved > 0) this.o.onRephased?.(moved);
        full = claimed.length === want;
        this.moreDue = full;
        for (const check of claimed) this.enqueue(check);
      }
      this.dispatch();
    } catch (err) {
      this.fail("claim", err);
    } finally {
      this.ticking = false;
      const again = this.wakeAgain || full;
      this.wakeAgain = false;
      this.schedule(again ? 0 : this.o.pollMs);
    }
  }

  /** Waiting checks that could start now (their tenant is below its cap). */
  private startable(): number {
    let n = 0;
    const cap = this.o.tenantSlots.cap;
    for (const [tenant, list] of this.waiting)
      n += Math.min(list.length, Math.max(0, cap - this.o.tenantSlots.of(tenant)));
    return n;
  }

  private enqueue(check: ClaimedCheck): void {
    const older = this.waitingByIntegration.get(check.integrationId);
    if (older) {
      // A newer slot of an integration whose previous slot is still waiting: run the newer one only.
      const replacedOlder = older.dueAt < check.dueAt;
      const drop = replacedOlder ? older : check;
      if (replacedOlder) {
        const list = this.waiting.get(older.tenantId) ?? [];
        const i = list.indexOf(older);
        if (i >= 0) list[i] = check;
        this.waitingByIntegration.set(check.integrationId, check);
      }
      this.pendingAcks.push(leaseMember(drop.integrationId, drop.dueAt));
      this.o.onSuperseded?.(drop);
      return;
    }
    let list = this.waiting.get(check.tenantId);
    if (!list) {
      list = [];
      this.waiting.set(check.tenantId, list);
      this.order.push(check.tenantId);
    }
    list.push(check);
    this.waitingByIntegration.set(check.integrationId, check);
    this.waitingCount++;
  }

  /** Starts waiting checks round-robin across tenants while slots are free. */
  private dispatch(): void {
    let idleTenants = 0;
    while (
      this.running.size < this.o.concurrency &&
      this.waitingCount > 0 &&
      idleTenants < this.order.length
    ) {
      if (this.cursor >= this.order.length) this.cursor = 0;
      const tenant = this.order[this.cursor] ?? "";
      const list = this.waiting.get(tenant);
      if (!list || list.length === 0) {
        // Forget tenants with nothing waiting, so the round-robin list stays small.
        this.waiting.delete(tenant);
        this.order.splice(this.cursor, 1);
        continue;
      }
      if (!this.o.tenantSlots.tryTake(tenant)) {
        this.cursor++;
        idleTenants++;
        continue;
      }
      idleTenants = 0;
      const check = list.shift() as ClaimedCheck;
      this.waitingByIntegration.delete(check.integrationId);
      this.waitingCount--;
      this.cursor++;
      this.launch(check);
    }
  }

  private launch(check: ClaimedCheck): void {
    const member = leaseMember(check.integrationId, check.dueAt);
    this.running.add(member);
    this.o
      .run(check)
      .then(
        () => {
          this.pendingAcks.push(member);
        },
        (err: unknown) => {
          this.fail("check", err);
          this.o.wheel.release([member], Date.now() + this.o.retryMs).catch(() => undefined);
        },
      )
      .finally(() => {
        this.running.delete(member);
        this.o.tenantSlots.release(check.tenantId);
        if (this.running.size === 0) for (const resolve of this.idle.splice(0)) resolve();
        // A slot is free: start a waiting check at once, and claim more when few are left and the last claim
        // suggests more are due. Otherwise the poll claims them: a claim (and an ack) per finished check was two
        // Redis round trips for every check (decision 0274).
        this.dispatch();
        if (this.moreDue && this.startable() < this.o.concurrency / 2) this.schedule(0);
      });
  }

  private async flushAcks(): Promise<void> {
    if (this.pendingAcks.length === 0) return;
    const acks = this.pendingAcks;
    this.pendingAcks = [];
    try {
      await this.o.wheel.ack(acks);
    } catch (err) {
      this.pendingAcks.push(...acks);
      throw err;
    }
  }

  private async renew(): Promise<void> {
    const members = [...this.running];
    for (const list of this.waiting.values())
      for (const c of list) members.push(leaseMember(c.integrationId, c.dueAt));
    try {
      for (let i = 0; i < members.length; i += 1000)
        await this.o.wheel.renew(members.slice(i, i + 1000), this.o.leaseMs);
    } catch (err) {
      this.fail("lease renewal", err);
    }
  }

  private takeAllWaiting(): ClaimedCheck[] {
    const all: ClaimedCheck[] = [];
    for (const list of this.waiting.values()) all.push(...list);
    this.waiting.clear();
    this.order.length = 0;
    this.waitingByIntegration.clear();
    this.waitingCount = 0;
    return all;
  }

  private fail(what: string, err: unknown): void {
    this.o.onError?.(what, err);
    const now = Date.now();
    if (now - this.lastErrorLogAt < 10_000) return;
    this.lastErrorLogAt = now;
    this.o.logger.error(
      { err: err instanceof Error ? err.message : String(err) },
      `check wheel: ${what} failed`,
    );
  }
}
