import { schedulerId } from "@hip/contracts";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { type CheckWheel, firstDueAt } from "./check-wheel.ts";
import { luaScript } from "./lua.ts";
import { intervalMs } from "./desired-schedule.ts";
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

// Recorded only after the scheduler change succeeded: a crash in between replays the (idempotent) change.
const COMMIT = `
local s = redis.call('HGET', KEYS[1], 'seq')
if tonumber(ARGV[1]) >= 0 and (not s or tonumber(ARGV[1]) > tonumber(s)) then redis.call('HSET', KEYS[1], 'seq', ARGV[1]) end
local v = redis.call('HGET', KEYS[1], 'ver')
if not v or tonumber(ARGV[2]) >= tonumber(v) then redis.call('HSET', KEYS[1], 'ver', ARGV[2]) end
redis.call('HSET', KEYS[1], 'at', ARGV[3])
return 1`;

// Resync: a page of snapshot plans in one call. KEYS: due, facts. ARGV: now, state key prefix, then per plan 6
// values: id, version, desired (p|a|k), facts ("every|tenant"), first due. Per plan, exactly what applySnapshot
// does (version check, enact, commit); returns one code per plan: s(tale) k(ept) r(emoved) u(psert) n(unchanged).
const APPLY_SNAPSHOTS = `
local now = ARGV[1]
local out = {}
for i = 3, #ARGV, 5 do
  local id, version, desired, facts, first = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local state = ARGV[2] .. id
  local v = redis.call('HGET', state, 'ver')
  if v and tonumber(v) > version then
    out[#out + 1] = 's'
  else
    local code = 'k'
    if desired == 'a' then
      local had = redis.call('HDEL', KEYS[2], id) + redis.call('ZREM', KEYS[1], id)
      if had > 0 then code = 'r' else code = 'n' end
    elseif desired == 'p' then
      local cur = redis.call('HGET', KEYS[2], id)
      local inWheel = redis.call('ZSCORE', KEYS[1], id)
      if cur == facts and inWheel then code = 'n' else
        redis.call('HSET', KEYS[2], id, facts)
        redis.call('ZADD', KEYS[1], first, id)
        code = 'u'
      end
    end
    if not v or version >= tonumber(v) then redis.call('HSET', state, 'ver', version) end
    redis.call('HSET', state, 'at', now)
    out[#out + 1] = code
  end
end
return out`;
const applySnapshots = luaScript(APPLY_SNAPSHOTS);
const CODES: Record<string, ApplyResult> = {
  s: "stale",
  k: "kept",
  r: "removed",
  u: "upserted",
  n: "unchanged",
};

const HEALTH_PREFIX = schedulerId("");

/** Owns the health-check schedules: one per eligible integration, in the check wheel (check-wheel.ts). */
export class ScheduleManager {
  private readonly queue: Queue;
  private readonly wheel: CheckWheel;
  private readonly redis: Redis;
  private readonly keys: WorkerKeys;
  private readonly logger: Logger;

  constructor(opts: { queue: Queue; wheel: CheckWheel; redis: Redis; keys: WorkerKeys; logger: Logger }) {
    this.queue = opts.queue;
    this.wheel = opts.wheel;
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.logger = opts.logger;
  }

  /** A config event (ordered by its CloudEvents sequence and the record version). */
  async applyEvent(plan: SchedulePlan, order: { sequence: number; version: number }): Promise<ApplyResult> {
    const key = this.keys.state(plan.integrationId);
    const fresh = await this.redis.eval(CHECK_EVENT, 1, key, order.sequence, order.version);
    if (fresh !== 1) return "stale";
    const result = await this.enact(plan);
    await this.redis.eval(COMMIT, 1, key, order.sequence, order.version, Date.now());
    return result;
  }

  /** Current state read from the config service (a fresh connection spec): one plan of applySnapshotPage. */
  async applySnapshot(plan: SchedulePlan, version: number): Promise<ApplyResult> {
    const [result] = await this.applySnapshotPage([{ plan, version }]);
    return result ?? "unchanged";
  }

  /**
   * A resync page: applySnapshot for each plan, all in one Redis call (100,000 integrations: 200 calls, not
   * 300,000). Plans of one integration must not repeat within a call.
   */
  async applySnapshotPage(plans: Array<{ plan: SchedulePlan; version: number }>): Promise<ApplyResult[]> {
    if (plans.length === 0) return [];
    const now = Date.now();
    const args: Array<string | number> = [now, this.keys.state("")];
    for (const { plan, version } of plans) {
      const every = intervalMs(plan.intervalSeconds);
      const desired = plan.desired === "present" ? "p" : plan.desired === "absent" ? "a" : "k";
      args.push(
        plan.integrationId,
        version,
        desired,
        `${every}|${plan.tenantId}`,
        firstDueAt(plan.integrationId, every, now),
      );
    }
    const codes = (await applySnapshots(
      this.redis,
      2,
      this.wheel.keys.due,
      this.wheel.keys.facts,
      ...args,
    )) as string[];
    return codes.map((c) => CODES[c] ?? "unchanged");
  }

  /** Removes a schedule whose integration is not in the config service's listing, unless state about it was
   * applied after the listing started (an integration created while the resync ran). */
  async removeOrphan(integrationId: string, listingStartedAt: number): Promise<boolean> {
    const at = await this.redis.hget(this.keys.state(integrationId), "at");
    if (at && Number(at) >= listingStartedAt) return false;
    return this.wheel.remove(integrationId);
  }

  /** Removes the schedule of an integration the config service says is gone (404 on its spec). */
  async removeGone(integrationId: string): Promise<boolean> {
    return this.wheel.remove(integrationId);
  }

  /** Every health-check schedule, page by page. */
  async *existing(pageSize = 1000): AsyncGenerator<ExistingScheduler[]> {
    for await (const page of this.wheel.all(pageSize)) {
      yield page.map((s) => ({ integrationId: s.integrationId, every: s.everyMs, tenantId: s.tenantId }));
    }
  }

  /** The schedule of one integration, or null. */
  async get(integrationId: string): Promise<ExistingScheduler | null> {
    const s = await this.wheel.get(integrationId);
    return s ? { integrationId, every: s.everyMs, tenantId: s.tenantId } : null;
  }

  count(): Promise<number> {
    return this.wheel.count();
  }

  /**
   * BullMQ job schedulers for health checks were the schedules before the check wheel (decision 0262); a worker
   * upgraded in place removes them, or both would run every check.
   */
  async removeLegacySchedulers(): Promise<number> {
    let removed = 0;
    for (;;) {
      const page = await this.queue.getJobSchedulers(0, 999, true);
      const legacy = page.filter((s) => s.key.startsWith(HEALTH_PREFIX));
      for (const s of legacy) if (await this.queue.removeJobScheduler(s.key)) removed++;
      if (legacy.length === 0 || page.length < 1000) break;
    }
    if (removed > 0) this.logger.info({ removed }, "legacy BullMQ health-check schedulers removed");
    return removed;
  }

  private async enact(plan: SchedulePlan): Promise<ApplyResult> {
    switch (plan.desired) {
      case "keep":
        return "kept";
      case "absent": {
        const removed = await this.wheel.remove(plan.integrationId);
        if (removed) this.logger.info({ integrationId: plan.integrationId }, "health-check schedule removed");
        return removed ? "removed" : "unchanged";
      }
      case "present": {
        const every = intervalMs(plan.intervalSeconds);
        const written = await this.wheel.upsert({
          integrationId: plan.integrationId,
          tenantId: plan.tenantId,
          everyMs: every,
        });
        if (!written) return "unchanged";
        this.logger.debug({ integrationId: plan.integrationId, every }, "health-check schedule upserted");
        return "upserted";
      }
    }
  }
}
