import { getTestStack, uniqueRedisPrefix, waitFor } from "@hip/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckWheel, type ClaimedCheck } from "../domain/check-wheel.ts";
import { TenantSlots } from "../domain/tenant-slots.ts";
import { silent } from "../testing/harness.ts";
import { WheelRunner } from "./wheel-runner.ts";

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

describe("wheel runner (real Redis)", () => {
  let redis: Redis;
  const wheels: CheckWheel[] = [];
  const runners: WheelRunner[] = [];

  const setup = (
    run: (c: ClaimedCheck) => Promise<void>,
    cap = 10,
    extra: Partial<{ retryMs: number; rephaseAfterMs: number; onRephased: (n: number) => void }> = {},
  ) => {
    const wheel = new CheckWheel({ redis, prefix: uniqueRedisPrefix() });
    wheels.push(wheel);
    const superseded: ClaimedCheck[] = [];
    const runner = new WheelRunner({
      wheel,
      run,
      tenantSlots: new TenantSlots(cap),
      concurrency: 10,
      leaseMs: 10_000,
      pollMs: 20,
      claimBatch: 100,
      retryMs: extra.retryMs ?? 5_000,
      ...(extra.rephaseAfterMs !== undefined ? { rephaseAfterMs: extra.rephaseAfterMs } : {}),
      ...(extra.onRephased ? { onRephased: extra.onRephased } : {}),
      logger: silent,
      onSuperseded: (c) => superseded.push(c),
    });
    runners.push(runner);
    return { wheel, runner, superseded };
  };
  const dueNow = (wheel: CheckWheel, id: string, at = Date.now()) => redis.zadd(wheel.keys.due, at, id);

  beforeAll(async () => {
    redis = new Redis((await getTestStack()).redisUrl);
  });

  afterAll(async () => {
    for (const r of runners) await r.stop(100);
    for (const w of wheels) await redis.del(w.keys.due, w.keys.facts, w.keys.lease);
    redis.disconnect();
  });

  it("gives a slot whose check failed on our infrastructure back, and runs it again with the same due time", async () => {
    const runs: ClaimedCheck[] = [];
    const { wheel, runner } = setup(
      async (c) => {
        runs.push(c);
        if (runs.length === 1) throw new Error("config service unavailable");
      },
      10,
      { retryMs: 200 },
    );
    await wheel.upsert({ integrationId: ID(1), tenantId: "t", everyMs: 600_000 });
    await dueNow(wheel, ID(1));
    runner.start();
    await waitFor(() => runs.length === 2, { what: "run again" });
    expect(runs[1]?.dueAt).toBe(runs[0]?.dueAt);
    expect(runs[1]?.reclaimed).toBe(true);
    await waitFor(async () => (await wheel.leased()) === 0, { what: "slot acknowledged" });
  });

  it("counts the slots claimed past the misfire threshold, whose schedules move; an on-time slot keeps its phase", async () => {
    const runs: ClaimedCheck[] = [];
    let rephased = 0;
    const { wheel, runner } = setup(
      async (c) => {
        runs.push(c);
      },
      10,
      // 10 s: the on-time slot stays within it even on a loaded machine.
      { rephaseAfterMs: 10_000, onRephased: (n) => (rephased += n) },
    );
    const EVERY = 600_000;
    await wheel.upsert({ integrationId: ID(1), tenantId: "t", everyMs: EVERY });
    await wheel.upsert({ integrationId: ID(2), tenantId: "t", everyMs: EVERY });
    const now = Date.now();
    await dueNow(wheel, ID(1), now - 30_000); // half a minute late
    await dueNow(wheel, ID(2), now);
    runner.start();
    await waitFor(() => runs.length === 2, { what: "both run" });
    expect(rephased).toBe(1);
    const late = runs.find((c) => c.integrationId === ID(1));
    const onTime = runs.find((c) => c.integrationId === ID(2));
    expect(late?.dueAt).toBe(now - 30_000);
    const moved = (await wheel.nextDueAt(ID(1))) ?? 0;
    expect(moved).toBeGreaterThanOrEqual(now + EVERY);
    expect(moved).toBeLessThan(Date.now() + EVERY + 1_000);
    expect(moved % 1_000).toBe((now - 30_000) % 1_000);
    expect(await wheel.nextDueAt(ID(2))).toBe((onTime?.dueAt ?? 0) + EVERY);
  });

  it("lets a tenant at its share wait without growing: a newer slot replaces its waiting one", async () => {
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const runs: ClaimedCheck[] = [];
    const { wheel, runner, superseded } = setup(async (c) => {
      runs.push(c);
      if (c.integrationId === ID(1)) await blocked;
    }, 1);
    for (const n of [1, 2]) await wheel.upsert({ integrationId: ID(n), tenantId: "slow", everyMs: 600_000 });
    await wheel.upsert({ integrationId: ID(3), tenantId: "other", everyMs: 600_000 });
    const t0 = Date.now();
    await dueNow(wheel, ID(1), t0 - 10);
    await dueNow(wheel, ID(2), t0 - 5);
    runner.start();
    await waitFor(() => runs.length === 1 && runner.queued === 1, { what: "ID(1) running, ID(2) waiting" });
    // Another tenant is not held up by the slow one.
    await dueNow(wheel, ID(3));
    await waitFor(() => runs.some((c) => c.integrationId === ID(3)), { what: "other tenant ran" });
    // ID(2)'s next slot comes due while its previous one still waits: only the newer one will run.
    const olderDue = (await redis.zscore(wheel.keys.due, ID(2))) ?? "";
    await dueNow(wheel, ID(2));
    await waitFor(() => superseded.length === 1, { what: "older slot superseded" });
    expect(runner.queued).toBe(1);
    unblock();
    await waitFor(() => runs.filter((c) => c.integrationId === ID(2)).length === 1, { what: "ID(2) ran" });
    await new Promise((r) => setTimeout(r, 200));
    const ran2 = runs.filter((c) => c.integrationId === ID(2));
    expect(ran2).toHaveLength(1);
    expect(ran2[0]?.dueAt).toBeGreaterThan(superseded[0]?.dueAt ?? 0);
    expect(olderDue).not.toBe("");
    await waitFor(async () => (await wheel.leased()) === 0, { what: "every slot acknowledged" });
  });

  it("gives waiting slots back at once when it stops", async () => {
    let unblock: () => void = () => undefined;
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const { wheel, runner } = setup(async () => blocked, 1);
    for (const n of [1, 2, 3]) await wheel.upsert({ integrationId: ID(n), tenantId: "t", everyMs: 600_000 });
    for (const n of [1, 2, 3]) await dueNow(wheel, ID(n));
    runner.start();
    await waitFor(() => runner.inFlight === 1 && runner.queued === 2, { what: "one running, two waiting" });
    const stopping = runner.stop(5_000);
    // The two waiting slots are claimable by another worker right away (lease score 0).
    await waitFor(async () => (await redis.zcount(wheel.keys.lease, 0, 0)) === 2, { what: "released" });
    unblock();
    await stopping;
    expect(await wheel.leased()).toBe(2);
  });
});
