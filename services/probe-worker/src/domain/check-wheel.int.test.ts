import { getTestStack, uniqueRedisPrefix } from "@hip/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckWheel, firstDueAt, leaseMember } from "./check-wheel.ts";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const EVERY = 60_000;
const LEASE = 30_000;
/** A misfire threshold no claim here reaches: these tests move the clock by whole intervals and keep the phase. */
const KEEP_PHASE = 100 * EVERY;

describe("check wheel (real Redis)", () => {
  let redis: Redis;
  let now = 1_800_000_000_000;
  const wheels: CheckWheel[] = [];
  const wheel = () => {
    const prefix = uniqueRedisPrefix();
    const a = new CheckWheel({ redis, prefix, now: () => now });
    const b = new CheckWheel({ redis, prefix, now: () => now });
    wheels.push(a);
    return { a, b };
  };

  beforeAll(async () => {
    redis = new Redis((await getTestStack()).redisUrl);
  });

  afterAll(async () => {
    for (const w of wheels) await redis.del(w.keys.due, w.keys.facts, w.keys.lease);
    redis.disconnect();
  });

  it("keeps exactly one schedule per integration; an identical upsert changes nothing", async () => {
    const { a } = wheel();
    expect(await a.upsert({ integrationId: ID(1), tenantId: "t1", everyMs: EVERY })).toBe(true);
    const due = await a.nextDueAt(ID(1));
    expect(due).toBe(firstDueAt(ID(1), EVERY, now));
    now += 5_000;
    expect(await a.upsert({ integrationId: ID(1), tenantId: "t1", everyMs: EVERY })).toBe(false);
    expect(await a.nextDueAt(ID(1))).toBe(due);
    // A new interval moves the schedule to the new interval's phase; still one entry.
    expect(await a.upsert({ integrationId: ID(1), tenantId: "t1", everyMs: 30_000 })).toBe(true);
    expect(await a.get(ID(1))).toEqual({ integrationId: ID(1), tenantId: "t1", everyMs: 30_000 });
    expect(await a.count()).toBe(1);
    expect(await redis.zcard(a.keys.due)).toBe(1);
    expect(await a.remove(ID(1))).toBe(true);
    expect(await a.remove(ID(1))).toBe(false);
    expect(await a.count()).toBe(0);
  });

  it("claims each due slot once across two workers, many per call, and moves it to its next slot", async () => {
    const { a, b } = wheel();
    for (let i = 0; i < 300; i++)
      await a.upsert({ integrationId: ID(i), tenantId: `t${i % 7}`, everyMs: EVERY });
    now += EVERY; // every schedule is due once
    const [x, y] = await Promise.all([a.claim(200, LEASE, KEEP_PHASE), b.claim(200, LEASE, KEEP_PHASE)]);
    const all = [...x, ...y];
    expect(all).toHaveLength(300);
    expect(new Set(all.map((c) => c.integrationId)).size).toBe(300);
    expect(all.every((c) => !c.reclaimed && c.everyMs === EVERY && c.dueAt <= now)).toBe(true);
    expect(all.find((c) => c.integrationId === ID(8))?.tenantId).toBe("t1");
    expect(await a.claim(500, LEASE)).toEqual([]);
    for (const c of all) expect(await a.nextDueAt(c.integrationId)).toBe(c.dueAt + EVERY);
    expect(await a.leased()).toBe(300);
    await a.ack(all.map((c) => leaseMember(c.integrationId, c.dueAt)));
    expect(await a.leased()).toBe(0);
  });

  it("gives a killed worker's slot back after its lease, with the same due time; renewed leases stay", async () => {
    const { a, b } = wheel();
    const LONG = 600_000; // no next slot comes due while the test moves the clock by a lease
    await a.upsert({ integrationId: ID(1), tenantId: "t", everyMs: LONG });
    await a.upsert({ integrationId: ID(2), tenantId: "t", everyMs: LONG });
    now += LONG;
    const claimed = await a.claim(10, LEASE);
    expect(claimed).toHaveLength(2);
    const kept = claimed.find((c) => c.integrationId === ID(2));
    // Worker a keeps renewing ID(2) and dies holding ID(1).
    now += LEASE - 1_000;
    await a.renew([leaseMember(ID(2), kept?.dueAt ?? 0)], LEASE);
    now += 2_000;
    const retaken = await b.claim(10, LEASE);
    expect(retaken).toEqual([
      {
        integrationId: ID(1),
        tenantId: "t",
        dueAt: claimed.find((c) => c.integrationId === ID(1))?.dueAt,
        everyMs: LONG,
        reclaimed: true,
        moved: false,
      },
    ]);
    // Released slots (an infrastructure failure, a shutdown) come back at once.
    await a.release([leaseMember(ID(2), kept?.dueAt ?? 0)]);
    expect((await b.claim(10, LEASE)).map((c) => [c.integrationId, c.dueAt, c.reclaimed])).toEqual([
      [ID(2), kept?.dueAt, true],
    ]);
  });

  it("drops a lease older than one interval (its next slot is claimed already) and slots of removed schedules", async () => {
    const { a } = wheel();
    await a.upsert({ integrationId: ID(1), tenantId: "t", everyMs: EVERY });
    await a.upsert({ integrationId: ID(2), tenantId: "t", everyMs: EVERY });
    now += EVERY;
    const first = await a.claim(10, LEASE, KEEP_PHASE);
    expect(first).toHaveLength(2);
    await a.remove(ID(2));
    now += EVERY + 1;
    // ID(1): the old lease is dropped and the current slot is claimed once; ID(2) is gone.
    const next = await a.claim(10, LEASE, KEEP_PHASE);
    expect(next.map((c) => [c.integrationId, c.reclaimed])).toEqual([[ID(1), false]]);
    expect(next[0]?.dueAt).toBe((first.find((c) => c.integrationId === ID(1))?.dueAt ?? 0) + EVERY);
    expect(await a.leased()).toBe(1);
    // Even with a threshold above the interval, missed slots are never run one after another: the next is ahead.
    expect(await a.nextDueAt(ID(1))).toBeGreaterThan(now);
    expect(await a.claim(10, LEASE, KEEP_PHASE)).toEqual([]);
  });

  it("runs a slot missed while no worker ran once, then moves the schedule to one interval after that run", async () => {
    const { a } = wheel();
    await a.upsert({ integrationId: ID(1), tenantId: "t", everyMs: EVERY });
    const due = (await a.nextDueAt(ID(1))) ?? 0;
    now = due + 10 * EVERY + 123; // ten slots missed
    const [c] = await a.claim(10, LEASE);
    expect(c?.dueAt).toBe(due);
    // Moved by its lateness rounded up to whole seconds: one interval and under a second after this claim.
    expect(await a.nextDueAt(ID(1))).toBe(due + 11 * EVERY + 1_000);
    expect(await a.claim(10, LEASE)).toEqual([]);
  });

  it("keeps a schedule's phase when its slot is claimed within the misfire threshold, moves it when later", async () => {
    const { a } = wheel();
    await a.upsert({ integrationId: ID(1), tenantId: "t", everyMs: EVERY });
    const due = (await a.nextDueAt(ID(1))) ?? 0;
    now = due + 1_000; // exactly at the threshold: the phase is kept
    expect((await a.claim(5, LEASE, 1_000)).map((c) => [c.dueAt, c.moved])).toEqual([[due, false]]);
    expect(await a.nextDueAt(ID(1))).toBe(due + EVERY);
    now = due + EVERY + 1_001; // one ms past it: this slot runs with its own due time; the schedule moves by 2 s
    expect((await a.claim(5, LEASE, 1_000)).map((c) => [c.dueAt, c.moved])).toEqual([[due + EVERY, true]]);
    const moved = due + 2 * EVERY + 2_000;
    expect(await a.nextDueAt(ID(1))).toBe(moved);
    now = moved - 1;
    expect(await a.claim(5, LEASE, 1_000)).toEqual([]);
    now = moved;
    expect((await a.claim(5, LEASE, 1_000)).map((c) => c.dueAt)).toEqual([moved]);
    expect(await a.nextDueAt(ID(1))).toBe(moved + EVERY); // on time again: on its (new) phase
  });

  it("keeps the slots of one late claim spread: each keeps its millisecond within the second", async () => {
    const { a } = wheel();
    for (let i = 0; i < 50; i++) await a.upsert({ integrationId: ID(i), tenantId: "t", everyMs: EVERY });
    now += 2 * EVERY; // all late, by between one and two intervals
    const claimed = await a.claim(100, LEASE, 1_000);
    expect(claimed).toHaveLength(50);
    const next = await Promise.all(claimed.map((c) => a.nextDueAt(c.integrationId)));
    for (const [i, c] of claimed.entries()) {
      const n = next[i] ?? 0;
      expect(n - now).toBeGreaterThanOrEqual(EVERY);
      expect(n - now).toBeLessThan(EVERY + 1_000);
      expect(n % 1_000).toBe(c.dueAt % 1_000);
    }
    expect(new Set(next).size).toBeGreaterThan(40);
  });
});
