import type { Redis } from "ioredis";
import { scheduleOffsetMs } from "./desired-schedule.ts";
import { luaScript } from "./lua.ts";

/**
 * The check wheel (issue 13, decision 0262): every scheduled health check lives in Redis as
 *  - one member of the `due` sorted set (member = integration id, score = the next due time in ms) — a sorted set
 *    member is unique, so an integration has exactly one schedule whatever is replayed or resynced;
 *  - one field of the `facts` hash (integration id -> "everyMs|tenantId").
 * A worker claims up to `limit` due checks in ONE round trip (CLAIM): each claimed member moves to its next slot
 * and a lease `id|dueMs` goes into the `lease` sorted set (score = lease expiry). The lease is acknowledged
 * (removed) when the result is buffered, renewed in bulk while the check runs or waits, and released (score 0) on
 * an infrastructure failure or shutdown. The same CLAIM first takes expired leases back (a killed worker's checks),
 * keeping their due time and so their event id; a lease older than one interval is dropped (the next slot is
 * already claimed). Claims are atomic Lua: N workers never claim the same slot. A slot claimed late (by more than
 * the misfire threshold) runs once and moves its schedule by its lateness, rounded up to whole seconds (0275).
 */
export interface WheelKeys {
  due: string;
  facts: string;
  lease: string;
}

export interface ScheduleFactsInWheel {
  integrationId: string;
  tenantId: string;
  everyMs: number;
}

/** A claimed slot: the integration, its tenant, the slot's due time (ms) and its interval. */
export interface ClaimedCheck {
  integrationId: string;
  tenantId: string;
  dueAt: number;
  everyMs: number;
  /** True when this slot was taken back from an expired or released lease. */
  reclaimed: boolean;
  /** True when this claim was late enough to move the schedule (decision 0275). */
  moved: boolean;
}

// KEYS: due, facts, lease. ARGV: now, limit, leaseMs, rephaseAfterMs.
// A slot claimed more than rephaseAfterMs late moves the schedule by its lateness rounded up to whole seconds: the
// next slot is one interval (and under a second) after this claim, on the same millisecond within the second as
// before, so the slots of one claim stay spread (a misfire threshold, decision 0275): a backlog is paid once instead
// of keeping every later slot late.
// Returns a flat list: id, tenant, due, every, kind (0 due, 1 reclaimed from a lease, 2 due and moved), ...
const CLAIM = `
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local leaseUntil = now + tonumber(ARGV[3])
local rephase = tonumber(ARGV[4])
local out = {}
local n = 0
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, limit)
for _, member in ipairs(expired) do
  local sep = string.find(member, '|', 1, true)
  local id = string.sub(member, 1, sep - 1)
  local due = tonumber(string.sub(member, sep + 1))
  local facts = redis.call('HGET', KEYS[2], id)
  local bar = facts and string.find(facts, '|', 1, true)
  local every = bar and tonumber(string.sub(facts, 1, bar - 1))
  if (not facts) or due + every <= now then
    redis.call('ZREM', KEYS[3], member)
  else
    redis.call('ZADD', KEYS[3], leaseUntil, member)
    n = n + 1
    out[#out + 1] = id
    out[#out + 1] = string.sub(facts, bar + 1)
    out[#out + 1] = string.format('%.0f', due)
    out[#out + 1] = string.format('%.0f', every)
    out[#out + 1] = '1'
  end
end
if n >= limit then return out end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit - n)
for i = 1, #due, 2 do
  local id = due[i]
  local at = tonumber(due[i + 1])
  local facts = redis.call('HGET', KEYS[2], id)
  if not facts then
    redis.call('ZREM', KEYS[1], id)
  else
    local bar = string.find(facts, '|', 1, true)
    local every = tonumber(string.sub(facts, 1, bar - 1))
    local nxt = at + every
    local kind = '0'
    if now - at > rephase then
      nxt = at + every + math.ceil((now - at) / 1000) * 1000
      kind = '2'
    elseif nxt <= now then nxt = at + (math.floor((now - at) / every) + 1) * every end
    redis.call('ZADD', KEYS[1], nxt, id)
    local member = id .. '|' .. string.format('%.0f', at)
    redis.call('ZADD', KEYS[3], leaseUntil, member)
    out[#out + 1] = id
    out[#out + 1] = string.sub(facts, bar + 1)
    out[#out + 1] = string.format('%.0f', at)
    out[#out + 1] = string.format('%.0f', every)
    out[#out + 1] = kind
  end
end
return out`;

const claimScript = luaScript(CLAIM);

// KEYS: due, facts. ARGV: id, "every|tenant", firstDue. Returns 1 when written, 0 when already identical.
const UPSERT = `
local cur = redis.call('HGET', KEYS[2], ARGV[1])
local inWheel = redis.call('ZSCORE', KEYS[1], ARGV[1])
if cur == ARGV[2] and inWheel then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if cur ~= ARGV[2] or not inWheel then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) end
return 1`;

// KEYS: due, facts. ARGV: id. Returns 1 when a schedule was removed.
const REMOVE = `
local had = redis.call('HDEL', KEYS[2], ARGV[1])
local z = redis.call('ZREM', KEYS[1], ARGV[1])
if had + z > 0 then return 1 end
return 0`;

// KEYS: lease. ARGV: leaseUntil, member... (only members still leased are renewed: XX).
const RENEW = `
local n = 0
for i = 2, #ARGV do n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[i]) end
return n`;

export function wheelKeys(prefix: string): WheelKeys {
  const base = `${prefix}:probe-worker:wheel`;
  return { due: `${base}:due`, facts: `${base}:facts`, lease: `${base}:lease` };
}

/** The first due time of a schedule: its stable phase within the interval, strictly after `now`. */
export function firstDueAt(integrationId: string, everyMs: number, now: number): number {
  const offset = scheduleOffsetMs(integrationId, everyMs);
  const since = (((now - offset) % everyMs) + everyMs) % everyMs;
  return now - since + everyMs;
}

/** How late a claimed slot may be before its schedule moves (decision 0275). */
export const DEFAULT_REPHASE_AFTER_MS = 1_000;

export const leaseMember = (integrationId: string, dueAt: number): string => `${integrationId}|${dueAt}`;

export class CheckWheel {
  readonly keys: WheelKeys;
  private readonly redis: Redis;
  private readonly now: () => number;

  constructor(opts: { redis: Redis; prefix: string; now?: () => number }) {
    this.redis = opts.redis;
    this.keys = wheelKeys(opts.prefix);
    this.now = opts.now ?? Date.now;
  }

  /** Creates or changes one schedule; an identical one is left alone (its next due time kept). */
  async upsert(s: ScheduleFactsInWheel): Promise<boolean> {
    const facts = `${s.everyMs}|${s.tenantId}`;
    const first = firstDueAt(s.integrationId, s.everyMs, this.now());
    const written = await this.redis.eval(
      UPSERT,
      2,
      this.keys.due,
      this.keys.facts,
      s.integrationId,
      facts,
      first,
    );
    return written === 1;
  }

  async remove(integrationId: string): Promise<boolean> {
    return (await this.redis.eval(REMOVE, 2, this.keys.due, this.keys.facts, integrationId)) === 1;
  }

  async get(integrationId: string): Promise<ScheduleFactsInWheel | null> {
    const facts = await this.redis.hget(this.keys.facts, integrationId);
    return facts ? parseFacts(integrationId, facts) : null;
  }

  /** When the schedule is next due (ms), or null. */
  async nextDueAt(integrationId: string): Promise<number | null> {
    const score = await this.redis.zscore(this.keys.due, integrationId);
    return score === null ? null : Number(score);
  }

  /** Every schedule, page by page (HSCAN: entries changed meanwhile may be seen once, twice or not at all). */
  async *all(pageSize = 1000): AsyncGenerator<ScheduleFactsInWheel[]> {
    let cursor = "0";
    do {
      const [next, flat] = await this.redis.hscan(this.keys.facts, cursor, "COUNT", pageSize);
      cursor = next;
      const page: ScheduleFactsInWheel[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) page.push(parseFacts(flat[i] ?? "", flat[i + 1] ?? ""));
      if (page.length > 0) yield page;
    } while (cursor !== "0");
  }

  count(): Promise<number> {
    return this.redis.hlen(this.keys.facts);
  }

  /** Checks due now and not yet claimed (the wheel's backlog). */
  dueBacklog(): Promise<number> {
    return this.redis.zcount(this.keys.due, "-inf", this.now());
  }

  /** Slots claimed by some worker and not yet acknowledged. */
  leased(): Promise<number> {
    return this.redis.zcard(this.keys.lease);
  }

  /**
   * Claims up to `limit` slots (expired leases first), leased for `leaseMs`: one round trip. A slot claimed more
   * than `rephaseAfterMs` after its due time moves its schedule to one interval after now, plus under a second
   * (its lateness rounded up to whole seconds; decision 0275).
   */
  async claim(
    limit: number,
    leaseMs: number,
    rephaseAfterMs = DEFAULT_REPHASE_AFTER_MS,
  ): Promise<ClaimedCheck[]> {
    if (limit <= 0) return [];
    const flat = (await claimScript(
      this.redis,
      3,
      this.keys.due,
      this.keys.facts,
      this.keys.lease,
      this.now(),
      limit,
      leaseMs,
      rephaseAfterMs,
    )) as string[];
    const out: ClaimedCheck[] = [];
    for (let i = 0; i + 4 < flat.length; i += 5) {
      out.push({
        integrationId: flat[i] ?? "",
        tenantId: flat[i + 1] ?? "",
        dueAt: Number(flat[i + 2]),
        everyMs: Number(flat[i + 3]),
        reclaimed: flat[i + 4] === "1",
        moved: flat[i + 4] === "2",
      });
    }
    return out;
  }

  /** Done with these slots (their results are buffered, or they were superseded): one round trip. */
  async ack(members: string[]): Promise<void> {
    if (members.length > 0) await this.redis.zrem(this.keys.lease, ...members);
  }

  /** Extends leases still held (members another worker already took back are left alone). */
  async renew(members: string[], leaseMs: number): Promise<void> {
    if (members.length === 0) return;
    await this.redis.eval(RENEW, 1, this.keys.lease, this.now() + leaseMs, ...members);
  }

  /** Gives slots back for another claim at `at` (default: at once), e.g. after an infrastructure failure. */
  async release(members: string[], at = 0): Promise<void> {
    if (members.length === 0) return;
    const args: Array<string | number> = [];
    for (const m of members) args.push(at, m);
    await this.redis.zadd(this.keys.lease, "XX", ...args);
  }
}

function parseFacts(integrationId: string, facts: string): ScheduleFactsInWheel {
  const bar = facts.indexOf("|");
  return { integrationId, tenantId: facts.slice(bar + 1), everyMs: Number(facts.slice(0, bar)) };
}
