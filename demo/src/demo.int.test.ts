import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { IntegrationCurrentView, IntegrationStats, IntegrationView, StatsSummary } from "@hip/contracts";
import {
  createTestDatabase,
  freePort,
  getTestStack,
  REPO_ROOT,
  type RunningService,
  runScript,
  startService,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoIntegration, demoIntegrations } from "./catalog.ts";
import { DEMO_CREDENTIALS } from "./credentials.ts";
import { type ApiClient, apiClient, kickOffTests, listIntegrations, seedIntegrations } from "./seed.ts";
import { type DemoSimulators, startDemoSimulators } from "./simulators.ts";

/**
 * `./dev demo` end to end, on free ports: the simulators, the three back-end services as real processes on real
 * PostgreSQL, Redis and Kafka, the seed through the REST API with a token from `./dev token`, then the statuses and
 * stats a newcomer should see on the dashboard within the first minute.
 */
describe("demo: simulators + seeded tenant + real services", () => {
  let db: TestDatabase;
  const services: RunningService[] = [];
  let config: RunningService;
  let stats: RunningService;
  let sims: DemoSimulators;
  let wanted: DemoIntegration[];
  let api: ApiClient;
  let statsApi: ApiClient;
  const ids: Record<string, string> = {};

  const byExpectation = (e: DemoIntegration["expect"]) => wanted.filter((w) => w.expect === e);
  const get = async <T>(client: ApiClient, path: string): Promise<T> => {
    const r = await client.request("GET", path);
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as T;
  };

  beforeAll(async () => {
    const stack = await getTestStack();
    db = await createTestDatabase("hip_demo");
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: uniqueRedisPrefix(),
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
      LOG_LEVEL: "warn",
    };
    const [simulators] = await Promise.all([
      startDemoSimulators(),
      runScript("config-service", "src/db/migrate.ts", env),
      runScript("stats-service", "src/db/migrate.ts", env),
    ]);
    sims = simulators;
    // All three at once (the worker is told where config-service will listen): less waiting on a busy machine.
    const configPort = await freePort();
    const started = await Promise.allSettled([
      startService({ name: "config-service", env, port: configPort, readyTimeoutMs: 90_000 }),
      startService({ name: "stats-service", env, readyTimeoutMs: 90_000 }),
      startService({
        name: "probe-worker",
        env: { ...env, CONFIG_SERVICE_URL: `http://127.0.0.1:${configPort}`, RESYNC_INTERVAL_MS: "600000" },
        readyTimeoutMs: 90_000,
      }),
    ]);
    for (const r of started) if (r.status === "fulfilled") services.push(r.value);
    const failed = started.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    [config, stats] = services as [RunningService, RunningService];
    // The token a user gets from `./dev token` (scripts/token.ts), not one minted by the test.
    const token = execFileSync(
      process.execPath,
      [join(REPO_ROOT, "scripts/token.ts"), "--tenant", "demo", "--role", "admin", "--sub", "demo-test"],
      { encoding: "utf8" },
    ).trim();
    api = apiClient(config.url, token);
    statsApi = apiClient(stats.url, token);
    wanted = demoIntegrations(sims.endpoints);
  });

  afterAll(async () => {
    for (const s of services.reverse()) await s.stop();
    await sims?.close();
    await db?.drop();
  });

  it("seeds a dozen integrations of every type through the REST API, and a re-run changes nothing", async () => {
    const first = await seedIntegrations(api, wanted);
    expect(first.created).toHaveLength(wanted.length);
    Object.assign(ids, first.ids);
    const again = await seedIntegrations(api, wanted);
    expect(again).toMatchObject({ created: [], updated: [] });
    expect(again.unchanged).toHaveLength(wanted.length);
    const stored = await listIntegrations(api);
    expect(stored).toHaveLength(wanted.length);
    expect(stored.every((i) => i.version === 1)).toBe(true);
    expect(new Set(stored.map((i) => i.type)).size).toBe(10);
    expect(new Set(stored.map((i) => i.authType))).toEqual(
      new Set(["NONE", "API_KEY", "BASIC_AUTH", "TOKEN", "OAUTH"]),
    );
    const text = JSON.stringify(stored);
    for (const secret of Object.values(DEMO_CREDENTIALS).filter((v) => v.startsWith("demo-"))) {
      expect(text).not.toContain(secret);
    }
  });

  it("a drifted integration is patched back, once, and keeps the status an admin gave it", async () => {
    const w = byExpectation("INACTIVE")[0];
    const id = ids[w?.body.name ?? ""] ?? "";
    const moved = await api.request("PATCH", `/configs/${id}`, {
      endpoint: "dicom://127.0.0.1:9",
      timeout: 999,
    });
    expect(moved.status).toBe(200);
    const fixed = await seedIntegrations(api, wanted);
    expect(fixed.updated).toEqual([w?.body.name]);
    const view = await get<IntegrationView>(api, `/configs/${id}`);
    expect(view).toMatchObject({ endpoint: w?.body.endpoint, timeout: w?.body.timeout, status: "INACTIVE" });
    expect((await seedIntegrations(api, wanted)).updated).toEqual([]);
  });

  it("first checks: AA, FHIR, DICOM, DICOMweb, every HTTP auth type and the webhook ACTIVE; AE and down ERROR", async () => {
    const outcomes = await kickOffTests(api, wanted, ids);
    expect(Object.keys(outcomes)).toHaveLength(wanted.length - byExpectation("INACTIVE").length);
    const views = await waitFor(
      async () => {
        const all = new Map((await listIntegrations(api)).map((i) => [i.name, i]));
        const settled =
          byExpectation("ACTIVE").every((w) => all.get(w.body.name)?.lastSyncedAt) &&
          byExpectation("ERROR").every((w) => all.get(w.body.name)?.status === "ERROR");
        return settled ? all : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "the first checks of every demo integration" },
    );
    for (const w of byExpectation("ACTIVE")) {
      const v = views.get(w.body.name);
      expect({ name: w.body.name, status: v?.status, lastError: v?.lastError }).toEqual({
        name: w.body.name,
        status: "ACTIVE",
        lastError: null,
      });
    }
    for (const w of byExpectation("ERROR")) {
      expect(views.get(w.body.name)?.lastError, w.body.name).toMatch(w.errorMatches ?? /./);
    }
    for (const w of byExpectation("INACTIVE")) {
      const v = views.get(w.body.name);
      expect(v?.status).toBe("INACTIVE");
      expect(v?.lastSyncedAt).toBeNull();
    }
    const seen = sims.counters();
    expect(seen.hl7Accepting).toBeGreaterThan(0);
    expect(seen.hl7Rejecting).toBeGreaterThan(0);
    expect(seen.oauthTokensIssued).toBeGreaterThan(0);
    expect(seen.webhookDeliveries).toBeGreaterThan(0);
    expect(seen.webhookRejected).toBe(0);
  });

  it("the stats API shows the checks, uptime and latency the dashboard draws", async () => {
    const summary = await waitFor(
      async () => {
        const s = await get<StatsSummary>(statsApi, "/stats");
        return s.total === wanted.length && s.error >= 2 && s.performance.checks24h >= 12 ? s : null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "stats summary of the demo tenant" },
    );
    expect(summary.inactive).toBe(1);
    expect(summary.performance.avgLatencyMs).not.toBeNull();
    expect(summary.performance.successRate24h).toBeGreaterThan(0);
    expect(summary.performance.successRate24h).toBeLessThan(100);
    expect(summary.lastSyncedAt).not.toBeNull();

    const list = Object.values(ids).join(",");
    const rows = await waitFor(
      async () => {
        const r = await get<{ data: IntegrationCurrentView[] }>(statsApi, `/stats/integrations?ids=${list}`);
        const byName = new Map(r.data.map((row) => [row.name, row]));
        const ready = [...byExpectation("ACTIVE"), ...byExpectation("ERROR")].every(
          (w) => (byName.get(w.body.name)?.checks24h ?? 0) > 0,
        );
        return ready ? byName : null;
      },
      { timeoutMs: 30_000, intervalMs: 500, what: "per-integration stats" },
    );
    for (const w of byExpectation("ACTIVE")) {
      const row = rows.get(w.body.name);
      expect(row?.uptime24h, w.body.name).toBeGreaterThan(0);
      expect(row?.lastLatencyMs, w.body.name).not.toBeNull();
    }
    for (const w of byExpectation("ERROR")) {
      const row = rows.get(w.body.name);
      expect(row?.status, w.body.name).toBe("ERROR");
      expect(row?.uptime24h, w.body.name).toBe(0);
    }
  });

  it("scheduled health checks follow on their own (every 10–30 s)", async () => {
    const id = ids["Lab results API"] ?? "";
    const detail = await waitFor(
      async () => {
        const d = await get<IntegrationStats>(statsApi, `/stats/integrations/${id}`);
        return d.recentChecks.some((c) => c.trigger === "scheduled") ? d : null;
      },
      { timeoutMs: 45_000, intervalMs: 500, what: "a scheduled check of the 10 s integration" },
    );
    const scheduled = detail.recentChecks.filter((c) => c.trigger === "scheduled");
    expect(scheduled.every((c) => c.success)).toBe(true);
    expect(detail.latency24h.p50).not.toBeNull();
  });
});
