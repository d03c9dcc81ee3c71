import { type HealthCheckJob, JOB_CATALOG, schedulerId } from "@hip/contracts";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { intervalMs, scheduleOffsetMs } from "./desired-schedule.ts";
import type { WorkerKeys } from "./keys.ts";

export interface SchedulePlan {
  integrationId: string;
  tenantId: string;
  desired: "present" | "absent" | "keep";
  intervalSeconds: number;
}

/** A scheduler as it exists in Redis. */
export interface ExistingScheduler {
  integrationId: string;
  every: number | null;
  tenantId: string | null;
}

export type ApplyResult = "upserted" | "removed" | "kept" | "unchanged" | "stale";

// An event is applied only when its sequence is above the last applied one AND its record version is not
// older than the last state applied from any source (events or resync): replays cannot resurrect a schedule.
const CHECK_EVENT = `
local s = redis.call('HGET', KEYS[1], 'seq')
if s and tonumber(s) >= tonumber(ARGV[1]) then return 0 end
local v = redis.call('HGET', KEYS[1], 'ver')
if v and tonumber(v) > tonumber(ARGV[2]) then return 0 end
return 1`;

const CHECK_VERSION = `
local v = redis.call('HGET', KEYS[1], 'ver')
if v and tonumber(v) > tonumber(ARGV[1]) then return 0 end
return 1`;

// Recorded only after the scheduler change succeeded: a crash in between replays the (idempotent) change.
const COMMIT = `
local s = redis.call('HGET', KEYS[1], 'seq')
if tonumber(ARGV[1]) >= 0 and (not s or tonumber(ARGV[1]) > tonumber(s)) then redis.call('HSET', KEYS[1], 'seq', ARGV[1]) end
local v = redis.call('HGET', KEYS[1], 'ver')
if not v or tonumber(ARGV[2]) >= tonumber(v) then redis.call('HSET', KEYS[1], 'ver', ARGV[2]) end
redis.call('HSET', KEYS[1], 'at', ARGV[3])
return 1`;

const HEALTH_PREFIX = schedulerId("");

/** Owns the BullMQ job schedulers: one per eligible integration, id schedulerId(integrationId). */
export class ScheduleManager {
  private readonly queue: Queue;
  private readonly redis: Redis;
  private readonly keys: WorkerKeys;
  private readonly logger: Logger;

  constructor(opts: { queue: Queue; redis: Redis; keys: WorkerKeys; logger: Logger }) {
    this.queue = opts.queue;
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.logger = opts.logger;
  }

  /** A config event (ordered by its CloudEvents sequence and the record version). */
  async applyEvent(plan: SchedulePlan, order: { sequence: number; version: number }): Promise<ApplyResult> {
    const key = this.keys.state(plan.integrationId);
    const fresh = await this.redis.eval(CHECK_EVENT, 1, key, order.sequence, order.version);
    if (fresh !== 1) return "stale";
    const result = await this.enact(plan, undefined);
    await this.redis.eval(COMMIT, 1, key, order.sequence, order.version, Date.now());
    return result;
  }

  /**
   * Current state read from the config service (resync listing or a fresh connection spec). `existing` lets a
   * resync skip schedulers that already match, so a periodic resync of 100,000 integrations writes nothing.
   */
  async applySnapshot(
    plan: SchedulePlan,
    version: number,
    existing?: ExistingScheduler | null,
  ): Promise<ApplyResult> {
    const key = this.keys.state(plan.integrationId);
    const fresh = await this.redis.eval(CHECK_VERSION, 1, key, version);
    if (fresh !== 1) return "stale";
    const result = await this.enact(plan, existing);
    await this.redis.eval(COMMIT, 1, key, -1, version, Date.now());
    return result;
  }

  /** Removes a scheduler whose integration is not in the config service's listing, unless state about it was
   * applied after the listing started (an integration created while the resync ran). */
  async removeOrphan(integrationId: string, listingStartedAt: number): Promise<boolean> {
    const at = await this.redis.hget(this.keys.state(integrationId), "at");
    if (at && Number(at) >= listingStartedAt) return false;
    return this.queue.removeJobScheduler(schedulerId(integrationId));
  }

  /** Removes the scheduler of an integration the config service says is gone (404 on its spec). */
  async removeGone(integrationId: string): Promise<boolean> {
    return this.queue.removeJobScheduler(schedulerId(integrationId));
  }

  /** Every health-check scheduler, page by page. */
  async *existing(pageSize = 1000): AsyncGenerator<ExistingScheduler[]> {
    for (let start = 0; ; start += pageSize) {
      const page = await this.queue.getJobSchedulers(start, start + pageSize - 1, true);
      const mine = page
        .filter((s) => s.key.startsWith(HEALTH_PREFIX))
        .map((s) => {
          const data = s.template?.data as Partial<HealthCheckJob> | undefined;
          return {
            integrationId: s.key.slice(HEALTH_PREFIX.length),
            every: s.every ? Number(s.every) : null,
            tenantId: typeof data?.tenantId === "string" ? data.tenantId : null,
          };
        });
      if (mine.length > 0) yield mine;
      if (page.length < pageSize) return;
    }
  }

  /** The scheduler of one integration, or null. (BullMQ's getJobScheduler answers a decoded-key stub for a
   * missing id, so existence is judged by the scheduler having a next run.) */
  async get(integrationId: string): Promise<ExistingScheduler | null> {
    const s = await this.queue.getJobScheduler(schedulerId(integrationId));
    if (!s || s.next === null || s.next === undefined) return null;
    const data = s.template?.data as Partial<HealthCheckJob> | undefined;
    return {
      integrationId,
      every: s.every ? Number(s.every) : null,
      tenantId: typeof data?.tenantId === "string" ? data.tenantId : null,
    };
  }

  count(): Promise<number> {
    return this.queue.getJobSchedulersCount();
  }

  private async enact(
    plan: SchedulePlan,
    existing: ExistingScheduler | null | undefined,
  ): Promise<ApplyResult> {
    const id = schedulerId(plan.integrationId);
    switch (plan.desired) {
      case "keep":
        return "kept";
      case "absent": {
        if (existing === null) return "unchanged";
        const removed = await this.queue.removeJobScheduler(id);
        if (removed) this.logger.info({ integrationId: plan.integrationId }, "health-check schedule removed");
        return removed ? "removed" : "unchanged";
      }
      case "present": {
        const every = intervalMs(plan.intervalSeconds);
        if (existing && existing.every === every && existing.tenantId === plan.tenantId) return "unchanged";
        const data: HealthCheckJob = {
          integrationId: plan.integrationId,
          tenantId: plan.tenantId,
          intervalSeconds: plan.intervalSeconds,
        };
        await this.queue.upsertJobScheduler(
          id,
          { every, offset: scheduleOffsetMs(plan.integrationId, every) },
          { name: "health-check", data, opts: { ...JOB_CATALOG["health-check"].opts } },
        );
        this.logger.debug({ integrationId: plan.integrationId, every }, "health-check schedule upserted");
        return "upserted";
      }
    }
  }
}
