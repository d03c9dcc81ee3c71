import { randomUUID } from "node:crypto";
import {
  type AnyEvent,
  type IntegrationTrafficAnomaly,
  type IntegrationTrafficReported,
  StatusEvent,
  type TrafficExpectations,
} from "@hip/contracts";
import type { EventConsumer } from "@hip/events";
import { createLogger, shutdownRegistryFor } from "@hip/service-kit";
import { getTestStack, uniqueRedisPrefix, waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../src/env.ts";
import { createRuntime, type Runtime } from "../src/runtime.ts";
import {
  databaseHarness,
  ev,
  type Harness,
  type KafkaHarness,
  kafkaHarness,
  logger,
  type Spec,
  token,
} from "./support.ts";

const MINUTE = 60_000;
/** The runtime under test logs nothing (dead-lettering is asserted through metrics). */
const quiet = createLogger({ name: "traffic-test", level: "silent" });

/**
 * Passive health end to end on real Kafka + Postgres: expectations from config snapshots, reports through Kafka
 * (bad ones dead-lettered) and HTTP, detector ticks on an injected clock, anomaly events through the outbox on the
 * status topic, no duplicate after a repeated tick or a restart, resolution when traffic or expectations change.
 */
describe("traffic detector (clock tick, outbox, restart)", () => {
  let db: Harness;
  let kafka: KafkaHarness;
  let runtime: Runtime;
  let capture: EventConsumer<typeof StatusEvent>;
  const anomalies: IntegrationTrafficAnomaly[] = [];
  const base = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
  // The clock starts at minute 10 of the scenario (reports of minutes 0-9 are in its past).
  let clock = base + 10 * MINUTE;
  const at = (minute: number, seconds = 0) => new Date(base + minute * MINUTE + seconds * 1000).toISOString();
  const x: Spec = { id: randomUUID(), tenantId: "t-a", name: "ADT feed", type: "HL7", status: "ACTIVE" };
  const z: Spec = {
    id: randomUUID(),
    tenantId: "t-a",
    name: "Lab feed",
    type: "LAB_SYSTEM",
    status: "ACTIVE",
  };
  const other: Spec = {
    id: randomUUID(),
    tenantId: "t-b",
    name: "Pay",
    type: "PAYMENT_GATEWAY",
    status: "ACTIVE",
  };
  const expectations: TrafficExpectations = {
    mode: "fixed",
    silenceMinutes: 10,
    maxErrorRatePercent: 5,
    maxQueuedAgeSeconds: 300,
  };
  const adminA = token({ tenantId: "t-a", roles: ["admin"] });

  const withExpectations = (e: AnyEvent, value: TrafficExpectations | null): AnyEvent => {
    if (e.type === "integration.created" || e.type === "integration.updated")
      e.data.integration.trafficExpectations = value;
    return e;
  };
  const reported = (s: Spec, minute: number, data: Partial<IntegrationTrafficReported["data"]> = {}) =>
    ({
      specversion: "1.0",
      id: randomUUID(),
      source: "/engines/mirth-1",
      type: "integration.traffic_reported",
      time: new Date().toISOString(),
      subject: s.id,
      tenantid: s.tenantId,
      datacontenttype: "application/json",
      data: {
        integrationId: s.id,
        windowStart: at(minute),
        windowSeconds: 60,
        received: 20,
        filtered: 0,
        sent: 20,
        errored: 0,
        queued: 1,
        oldestQueuedAgeSeconds: 2,
        ...data,
      },
    }) satisfies IntegrationTrafficReported;

  const envFor = () =>
    loadEnv({
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      DATABASE_URL: db.testDb.url,
      KAFKA_BROKERS: kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: kafka.prefix,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      TRAFFIC_DETECTOR_ENABLED: "false",
      OUTBOX_POLL_MS: "200",
    });
  let kafkaBrokers: string[] = [];
  let redisUrl = "";
  const redisPrefix = uniqueRedisPrefix();
  const stop = (r: Runtime) => shutdownRegistryFor(r, logger).shutdown("test");
  const httpReport = (s: Spec, minute: number) =>
    runtime.app.inject({
      method: "POST",
      url: "/api/integration/traffic",
      headers: { authorization: `Bearer ${adminA}` },
      payload: {
        reports: [
          {
            integrationId: s.id,
            windowStart: at(minute),
            windowSeconds: 60,
            received: 5,
            filtered: 0,
            sent: 5,
            errored: 0,
            queued: 0,
          },
        ],
      },
    });
  const stored = async (id: string) =>
    (
      await db.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM stats.traffic_reports WHERE integration_id = $1",
        [id],
      )
    ).rows[0]?.n ?? 0;

  beforeAll(async () => {
    db = await databaseHarness();
    kafka = await kafkaHarness();
    const stack = await getTestStack();
    kafkaBrokers = stack.kafkaBrokers;
    redisUrl = stack.redisUrl;
    runtime = await createRuntime(envFor(), quiet, { clock: () => clock });
    await runtime.start();
    capture = await kafka.bus.consumer({
      groupId: `${kafka.prefix}test.capture`,
      topics: [kafka.topics.status],
      schema: StatusEvent,
      deadLetterTopic: kafka.topics.deadLetter,
      fromBeginning: true,
      handle: async (e) => {
        if (e.type === "integration.traffic_anomaly") anomalies.push(e);
      },
    });
    await capture.start();
    await kafka.publish([
      withExpectations(ev.created(x, 1), expectations),
      ev.created(z, 1),
      ev.created(other, 1),
    ]);
    await waitFor(
      async () => {
        const r = await db.pool.query(
          "SELECT 1 FROM stats.traffic_state s JOIN stats.integrations i USING (integration_id) WHERE s.expectations IS NOT NULL AND i.known",
        );
        return r.rowCount === 1;
      },
      { what: "expectations and the integration projected", timeoutMs: 60_000 },
    );
  }, 120_000);

  afterAll(async () => {
    await capture?.stop();
    if (runtime) await stop(runtime);
    await kafka?.bus.close();
    await db?.close();
  });

  it("ingests from Kafka with the HTTP checks: bad reports dead-lettered, the rest stored once", async () => {
    const good = Array.from({ length: 10 }, (_, m) => reported(x, m));
    const bad = [
      reported(other, 0, {}), // valid for t-b, but claims…
      { ...reported(other, 1), tenantid: "t-a" }, // …another tenant's integration
      reported(x, 0, { windowStart: new Date(base + 30 * MINUTE).toISOString() }), // > 5 min ahead of the clock
    ];
    await kafka.producer.send(
      kafka.topics.traffic,
      [...good, ...good.slice(0, 3), ...bad].map((e) => ({ key: e.subject, value: e })),
    );
    await waitFor(async () => (await stored(x.id)) === 10 && (await stored(other.id)) === 1, {
      what: "10 + 1 reports stored",
      timeoutMs: 60_000,
    });
    const metrics = (await runtime.app.inject({ method: "GET", url: "/metrics" })).body;
    expect(metrics).toMatch(/hip_traffic_reports_rejected_total\{via="kafka",reason="not_found"\} 1/);
    expect(metrics).toMatch(/hip_traffic_reports_rejected_total\{via="kafka",reason="future"\} 1/);
    expect(metrics).toMatch(/hip_traffic_messages_total\{type="HL7",kind="received"\} 200/);
  });

  it("opens a silent feed once (repeated tick, restart), resolves it and opens spike + backlog from new windows", async () => {
    // z keeps reporting (ingest is alive); x falls silent after minute 9.
    clock = base + 21 * MINUTE;
    for (let m = 10; m <= 21; m++) expect((await httpReport(z, m)).statusCode).toBe(200);
    clock = base + 10 * MINUTE + 30_000;
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 1, opened: 0, resolved: 0 });
    clock = base + 20 * MINUTE + 30_000;
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 1, opened: 1, resolved: 0 });
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 1, opened: 0, resolved: 0 });
    await stop(runtime);
    runtime = await createRuntime(envFor(), quiet, { clock: () => clock });
    await runtime.start();
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 1, opened: 0, resolved: 0 });

    // Minute 21: traffic again, half of it failing, the oldest queued message 400 s old.
    await kafka.producer.send(kafka.topics.traffic, [
      {
        key: x.id,
        value: reported(x, 21, { errored: 6, acks: { AA: 10, AE: 4 }, oldestQueuedAgeSeconds: 400 }),
      },
    ]);
    await waitFor(async () => (await stored(x.id)) === 11, { what: "minute 21 stored", timeoutMs: 60_000 });
    clock = base + 22 * MINUTE + 10_000;
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 1, opened: 2, resolved: 1 });

    const events = await waitFor(() => (anomalies.length >= 4 ? anomalies : null), {
      what: "4 anomaly events",
      timeoutMs: 60_000,
    });
    const summary = events.map((e) => [e.data.kind, e.data.state]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ["SILENT_FEED", "opened"],
        ["SILENT_FEED", "resolved"],
        ["ERROR_SPIKE", "opened"],
        ["QUEUE_BACKLOG", "opened"],
      ]),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.map((e) => e.sequence).sort()).toEqual([1, 2, 3, 4]);
    const silent = events.find((e) => e.data.kind === "SILENT_FEED" && e.data.state === "opened");
    expect(silent).toMatchObject({
      source: "/hip/stats-service",
      subject: x.id,
      tenantid: "t-a",
      data: {
        integrationName: "ADT feed",
        integrationType: "HL7",
        since: at(10),
        detectedAt: at(20, 30),
        observed: { silentMinutes: 10.5 },
        expected: { mode: "fixed", silenceMinutes: 10 },
      },
    });
    const spike = events.find((e) => e.data.kind === "ERROR_SPIKE");
    expect(spike?.data.observed.errorRatePercent).toBe(50);
    const backlog = events.find((e) => e.data.kind === "QUEUE_BACKLOG");
    expect(backlog?.data).toMatchObject({
      observed: { oldestQueuedAgeSeconds: 400 },
      expected: { maxQueuedAgeSeconds: 300 },
    });
    const rows = await db.pool.query("SELECT count(*)::int AS n FROM stats.traffic_outbox");
    expect(rows.rows[0].n).toBe(4);

    const series = await runtime.app.inject({
      method: "GET",
      url: `/api/integration/stats/integrations/${x.id}/traffic?from=${encodeURIComponent(at(20))}&to=${encodeURIComponent(at(23))}`,
      headers: { authorization: `Bearer ${adminA}` },
    });
    expect(
      series
        .json()
        .openAnomalies.map((a: { kind: string }) => a.kind)
        .sort(),
    ).toEqual(["ERROR_SPIKE", "QUEUE_BACKLOG"]);
    const list = await runtime.app.inject({
      method: "GET",
      url: `/api/integration/stats/integrations?ids=${x.id},${z.id}`,
      headers: { authorization: `Bearer ${adminA}` },
    });
    expect(list.json().data.map((v: { trafficAnomalies: string[] }) => v.trafficAnomalies)).toEqual([
      ["ERROR_SPIKE", "QUEUE_BACKLOG"],
      [],
    ]);
  }, 180_000);

  it("resolves what is open when the expectations are cleared", async () => {
    await kafka.publish([withExpectations(ev.updated(x, 2, ["trafficExpectations"]), null)]);
    await waitFor(
      async () => {
        const r = await db.pool.query(
          "SELECT expectations FROM stats.traffic_state WHERE integration_id = $1",
          [x.id],
        );
        return r.rows[0]?.expectations === null;
      },
      { what: "expectations cleared", timeoutMs: 60_000 },
    );
    expect(await runtime.traffic.detector.tick()).toEqual({ judged: 0, opened: 0, resolved: 2 });
    const events = await waitFor(() => (anomalies.length >= 6 ? anomalies : null), {
      what: "6 events",
      timeoutMs: 60_000,
    });
    expect(
      events
        .filter((e) => e.data.state === "resolved")
        .map((e) => e.data.kind)
        .sort(),
    ).toEqual(["ERROR_SPIKE", "QUEUE_BACKLOG", "SILENT_FEED"]);
  }, 120_000);
});
