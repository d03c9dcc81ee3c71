import { randomUUID } from "node:crypto";
import {
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationTrafficAnomaly,
  type TrafficAnomalyData,
  type TrafficAnomalyKind,
} from "@hip/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "./receivers.ts";
import {
  API,
  FakeIntegration,
  kafkaFor,
  startAlertService,
  type TestService,
  token,
  waitFor,
} from "./support.ts";

const admin = token("t1", "admin");

/**
 * Issue 14: traffic anomalies from the stats service become incidents of their own kind, next to status incidents,
 * through the same policies, channels and delivery keys.
 */
describe("incidents from traffic anomalies", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let seq = 0;

  const anomaly = (
    lab: FakeIntegration,
    kind: TrafficAnomalyKind,
    state: "opened" | "resolved",
    anomalyId: string,
  ): IntegrationTrafficAnomaly => {
    seq++;
    const now = new Date().toISOString();
    const data: TrafficAnomalyData = {
      anomalyId,
      integrationId: lab.id,
      integrationName: lab.name,
      integrationType: lab.type,
      kind,
      state,
      since: new Date(Date.now() - 25 * 60_000).toISOString(),
      detectedAt: now,
      resolvedAt: state === "resolved" ? now : null,
      observed: {
        messagesLastHour: 120,
        silentMinutes: 25,
        errorRatePercent: null,
        queued: null,
        oldestQueuedAgeSeconds: null,
      },
      expected: {
        mode: "baseline",
        minMessagesPerHour: 300,
        silenceMinutes: 12,
        maxErrorRatePercent: null,
        maxQueued: null,
        maxQueuedAgeSeconds: null,
      },
    };
    return cloudEvent({
      id: randomUUID(),
      type: "integration.traffic_anomaly",
      source: EVENT_SOURCES.statsService,
      subject: lab.id,
      tenantId: lab.tenantId,
      sequence: seq,
      data,
    });
  };

  const incidents = async (integrationId: string, want: (list: Array<Record<string, unknown>>) => boolean) =>
    waitFor(
      async () => {
        const res = await svc.request("GET", `${API}/incidents?integrationId=${integrationId}`, {
          token: admin,
        });
        const list = (res.body.data ?? []) as Array<Record<string, unknown>>;
        return want(list) ? list : null;
      },
      { what: `incidents of ${integrationId}`, timeoutMs: 30_000 },
    );

  beforeAll(async () => {
    hook = await startReceiver();
    svc = await startAlertService();
    kafka = await kafkaFor(svc.topics);
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: {
        name: "Ops hook",
        type: "WEBHOOK",
        config: { url: `${hook.url}/hooks/hip`, secret: "whsec-traffic-0123456789" },
      },
    });
    expect(ch.status).toBe(201);
    const pol = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "Everything", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    expect(pol.status).toBe(201);
  });

  afterAll(async () => {
    await kafka?.close();
    await svc?.close({ keepDatabase: true });
    await svc?.database?.drop();
    await hook?.close();
  });

  it("opens a SILENT_FEED incident once, pages once, lives next to a STATUS incident and resolves alone", async () => {
    const lab = new FakeIntegration("t1", "ADT feed", "HL7");
    await kafka.publish(svc.topics.config, [lab.created()]);
    const anomalyId = randomUUID();
    const opened = anomaly(lab, "SILENT_FEED", "opened", anomalyId);
    await kafka.publish(svc.topics.status, [opened, opened]);
    const [silent] = await incidents(lab.id, (l) => l.length === 1);
    expect(silent).toMatchObject({
      state: "open",
      kind: "SILENT_FEED",
      integrationName: "ADT feed",
      error: {
        code: "SILENT_FEED",
        stage: "traffic",
        message: "No messages for 25 min (expected within 12 min, baseline)",
      },
      anomaly: {
        anomalyId,
        observed: { silentMinutes: 25 },
        expected: { mode: "baseline", silenceMinutes: 12 },
      },
    });
    const paged = await waitFor(
      () => hook.received.find((r) => r.headers["idempotency-key"] === `${silent?.id}:opened`),
      { what: "the open notice" },
    );
    expect(paged.json).toMatchObject({ error: { code: "SILENT_FEED" } });

    // The integration also turns ERROR: a separate STATUS incident (one open per integration and kind).
    const probe = lab.probeFailed("CONNECTION_REFUSED");
    await kafka.publish(svc.topics.status, [probe, lab.statusChanged("ERROR", probe.id)]);
    const both = await incidents(lab.id, (l) => l.length === 2);
    expect(both.map((i) => i.kind).sort()).toEqual(["SILENT_FEED", "STATUS"]);

    // A resolve for an older anomaly of the same kind changes nothing; the right one resolves only its incident.
    await kafka.publish(svc.topics.status, [anomaly(lab, "SILENT_FEED", "resolved", randomUUID())]);
    await kafka.publish(svc.topics.status, [anomaly(lab, "SILENT_FEED", "resolved", anomalyId)]);
    const after = await incidents(lab.id, (l) =>
      l.some((i) => i.kind === "SILENT_FEED" && i.state === "resolved"),
    );
    expect(after.find((i) => i.kind === "STATUS")?.state).toBe("open");
    expect(after.find((i) => i.kind === "SILENT_FEED")?.resolveReason).toBe("recovered");
    await waitFor(
      () => hook.received.find((r) => r.headers["idempotency-key"] === `${silent?.id}:resolved`),
      {
        what: "the resolve notice",
      },
    );
    expect(hook.received.filter((r) => r.headers["idempotency-key"] === `${silent?.id}:opened`)).toHaveLength(
      1,
    );

    const events = await waitFor(
      () => {
        const mine = kafka.incidents.filter((e) => e.event.subject === lab.id);
        return mine.length >= 3 ? mine : null;
      },
      { what: "incident events" },
    );
    const silentOpened = events.find(
      (e) => e.event.type === "incident.opened" && e.event.data.incident.kind === "SILENT_FEED",
    );
    expect(silentOpened).toBeDefined();
  });

  it("deleting the integration resolves its incidents of every kind", async () => {
    const lab = new FakeIntegration("t1", "Lab queue", "LAB_SYSTEM");
    await kafka.publish(svc.topics.config, [lab.created()]);
    await kafka.publish(svc.topics.status, [
      anomaly(lab, "QUEUE_BACKLOG", "opened", randomUUID()),
      anomaly(lab, "ERROR_SPIKE", "opened", randomUUID()),
    ]);
    await incidents(lab.id, (l) => l.length === 2);
    await kafka.publish(svc.topics.config, [lab.deleted()]);
    const done = await incidents(lab.id, (l) => l.length === 2 && l.every((i) => i.state === "resolved"));
    expect(done.map((i) => i.resolveReason)).toEqual(["deleted", "deleted"]);
  });
});
