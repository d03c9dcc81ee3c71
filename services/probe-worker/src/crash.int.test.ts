import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type ConnectionTestJob, JOB_CATALOG, PROBE_QUEUE } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeWorkerEnv } from "./env.ts";
import { FakeConfigService } from "./testing/fake-config-service.ts";
import { makeSpec } from "./testing/fixtures.ts";
import { KafkaProbe, testEnv } from "./testing/harness.ts";
import { HttpPeer } from "./testing/http-peer.ts";

const serviceDir = fileURLToPath(new URL("..", import.meta.url));

describe("worker processes: kill -9 recovery and graceful SIGTERM (real Redis + Kafka)", () => {
  const config = new FakeConfigService();
  const peer = new HttpPeer();
  const children: ChildProcess[] = [];
  let peerUrl = "";
  let env: ProbeWorkerEnv;
  let childEnv: Record<string, string>;
  let kafka: KafkaProbe;
  let queue: Queue;
  let redis: Redis;

  beforeAll(async () => {
    const configUrl = await config.start();
    peerUrl = await peer.start();
    env = await testEnv({ CONFIG_SERVICE_URL: configUrl });
    childEnv = {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      PORT: "0",
      REDIS_URL: env.REDIS_URL,
      REDIS_PREFIX: env.REDIS_PREFIX,
      KAFKA_BROKERS: env.KAFKA_BROKERS.join(","),
      KAFKA_TOPIC_PREFIX: env.KAFKA_TOPIC_PREFIX,
      CONFIG_SERVICE_URL: configUrl,
      PROBE_ALLOWED_CIDRS: "127.0.0.0/8",
      RESYNC_ON_START: "false",
      LOCK_DURATION_MS: "2000",
      STALLED_INTERVAL_MS: "1000",
      DRAIN_TIMEOUT_MS: "8000",
    };
    kafka = new KafkaProbe(env);
    await kafka.start();
    redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
    queue = new Queue(PROBE_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    redis.disconnect();
    await kafka.stop();
    await config.stop();
    await peer.stop();
  });

  const spawnWorker = () => {
    const child = spawn(process.execPath, ["src/main.ts"], {
      cwd: serviceDir,
      env: childEnv,
      stdio: "inherit",
    });
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null)
        resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once("exit", (code, signal) => resolve({ code, signal }));
    });
  const enqueueTest = async (path: string) => {
    const spec = makeSpec({ endpoint: `${peerUrl}${path}`, timeout: 60_000 });
    config.specs.set(spec.id, spec);
    const data: ConnectionTestJob = {
      integrationId: spec.id,
      tenantId: spec.tenantId,
      testId: randomUUID(),
      requestedBy: "admin-1",
    };
    await queue.add("connection-test", data, { ...JOB_CATALOG["connection-test"].opts, jobId: data.testId });
    return data.testId;
  };

  it("recovers a job whose worker was killed with SIGKILL mid-probe, after restart", async () => {
    peer.hangOnce.add("/hang");
    const first = spawnWorker();
    const testId = await enqueueTest("/hang");
    await waitFor(() => peer.hits.get("/hang") === 1, { what: "probe in flight", timeoutMs: 30_000 });
    first.kill("SIGKILL");
    expect((await exited(first)).signal).toBe("SIGKILL");
    expect(await (await queue.getJob(testId))?.isActive()).toBe(true);

    const second = spawnWorker();
    const event = await waitFor(
      () => kafka.status.find((e) => e.type === "integration.probe_completed" && e.data.testId === testId),
      { what: "the recovered job published its result", timeoutMs: 45_000 },
    );
    expect(event.type === "integration.probe_completed" && event.data.success).toBe(true);
    expect(peer.hits.get("/hang")).toBe(2);
    const job = await queue.getJob(testId);
    expect(await job?.isCompleted()).toBe(true);
    expect(job?.stalledCounter).toBeGreaterThanOrEqual(1);
    second.kill("SIGTERM");
    expect((await exited(second)).code).toBe(0);
  });

  it("finishes an in-flight probe on SIGTERM before exiting", async () => {
    peer.delayMs.set("/slow", 2_000);
    const child = spawnWorker();
    const testId = await enqueueTest("/slow");
    await waitFor(() => peer.hits.get("/slow") === 1, { what: "probe in flight", timeoutMs: 30_000 });
    child.kill("SIGTERM");
    expect((await exited(child)).code).toBe(0);
    const job = await queue.getJob(testId);
    expect(await job?.isCompleted()).toBe(true);
    expect(job?.returnvalue).toMatchObject({ outcome: "published", success: true });
    expect(peer.hits.get("/slow")).toBe(1);
  });
});
