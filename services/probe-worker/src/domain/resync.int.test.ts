import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { schedulerId } from "@hip/contracts";
import { getTestStack, waitFor } from "@hip/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeWorkerEnv } from "../env.ts";
import { CheckWheel, wheelKeys } from "./check-wheel.ts";
import { FakeConfigService } from "../testing/fake-config-service.ts";
import { makeSpec } from "../testing/fixtures.ts";
import { type RunningWorker, startWorker, testEnv } from "../testing/harness.ts";

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL("../..", import.meta.url));

/** Flushes only its own Redis database (db 13), never the shared db 0 other test files use. */
describe("schedule resync (real Redis db 13 + Kafka)", () => {
  const config = new FakeConfigService();
  let env: ProbeWorkerEnv;
  let redisUrl: string;
  let admin: Redis;
  const workers: RunningWorker[] = [];
  const eligible: string[] = [];

  beforeAll(async () => {
    const stack = await getTestStack();
    const url = new URL(stack.redisUrl);
    url.pathname = "/13";
    redisUrl = url.toString();
    admin = new Redis(redisUrl);
    await admin.flushdb();
    for (let i = 0; i < 24; i++) {
      const status = i % 4 === 0 ? "ERROR" : "ACTIVE";
      const spec = makeSpec({ status, healthCheck: { enabled: true, intervalSeconds: 60 + i } });
      config.specs.set(spec.id, spec);
      eligible.push(spec.id);
    }
    for (let i = 0; i < 6; i++) {
      const spec = makeSpec(
        i % 2 === 0 ? { status: "INACTIVE" } : { healthCheck: { enabled: false, intervalSeconds: 60 } },
      );
      config.specs.set(spec.id, spec);
    }
    const configUrl = await config.start();
    env = await testEnv({
      CONFIG_SERVICE_URL: configUrl,
      REDIS_URL: redisUrl,
      RESYNC_PAGE_SIZE: "7",
      MARKER_CHECK_INTERVAL_MS: "300",
    });
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    await admin.flushdb();
    admin.disconnect();
    await config.stop();
  });

  const healthSchedulers = async (w: RunningWorker) => {
    const ids: string[] = [];
    for await (const page of w.runtime.schedules.existing(10)) ids.push(...page.map((s) => s.integrationId));
    return ids.sort();
  };

  it("builds exactly one scheduler per eligible integration at start-up and removes orphans", async () => {
    const orphan = makeSpec();
    await new CheckWheel({ redis: admin, prefix: env.REDIS_PREFIX }).upsert({
      integrationId: orphan.id,
      tenantId: orphan.tenantId,
      everyMs: 60_000,
    });
    const w = await startWorker(env);
    workers.push(w);
    await waitFor(async () => (await healthSchedulers(w)).join() === [...eligible].sort().join(), {
      what: "schedulers = eligible integrations",
      timeoutMs: 30_000,
    });
    const one = await w.runtime.schedules.get(eligible[1] ?? "");
    expect(one?.every).toBe(61_000);
    expect(await w.runtime.schedules.get(orphan.id)).toBeNull();
    expect(config.scheduleRequests).toBeGreaterThanOrEqual(5); // 30 entries in pages of 7
  });

  it("rebuilds them after FLUSHDB (marker detection) and keeps one each across restarts", async () => {
    const w = workers[0];
    if (!w) throw new Error("no worker");
    await admin.flushdb();
    expect(await w.runtime.schedules.count()).toBe(0);
    await waitFor(async () => (await healthSchedulers(w)).length === eligible.length, {
      what: "schedulers rebuilt after flush",
      timeoutMs: 30_000,
    });
    await w.stop();
    workers.length = 0;
    for (let i = 0; i < 2; i++) {
      const again = await startWorker(env);
      await waitFor(async () => (await again.runtime.resync.run("test")) !== null, { what: "resync ran" });
      expect(await healthSchedulers(again)).toEqual([...eligible].sort());
      await again.stop();
    }
  });

  it("resyncs from the CLI, and a resync removes a schedule whose integration disappeared", async () => {
    const gone = eligible.pop() ?? "";
    config.specs.delete(gone);
    // A BullMQ job scheduler from before the check wheel must go, or it would run a second copy of the checks.
    const legacy = new Redis(redisUrl);
    const { Queue } = await import("bullmq");
    const q = new Queue("hip-probes", { connection: legacy, prefix: env.REDIS_PREFIX });
    await q.upsertJobScheduler(schedulerId(eligible[0] ?? ""), { every: 60_000 }, { name: "health-check" });
    expect(await q.getJobSchedulersCount()).toBe(1);
    const { stdout } = await run(process.execPath, ["src/cli/resync.ts"], {
      cwd: serviceDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "test",
        LOG_LEVEL: "silent",
        REDIS_URL: redisUrl,
        REDIS_PREFIX: env.REDIS_PREFIX,
        CONFIG_SERVICE_URL: env.CONFIG_SERVICE_URL,
      },
    });
    const summary = JSON.parse(stdout) as Record<string, number>;
    expect(summary).toMatchObject({
      listed: 29,
      eligible: 23,
      orphansRemoved: 1,
      upserted: 0,
      legacyRemoved: 1,
    });
    expect(await q.getJobSchedulersCount()).toBe(0);
    await q.close();
    legacy.disconnect();
    const check = new Redis(redisUrl);
    expect(await new CheckWheel({ redis: check, prefix: env.REDIS_PREFIX }).count()).toBe(23);
    expect(await check.zcard(wheelKeys(env.REDIS_PREFIX).due)).toBe(23);
    check.disconnect();
  });
});
