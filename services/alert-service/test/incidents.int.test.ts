import { AlertWebhookBody, verifyWebhook } from "@hip/contracts";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configGroupId } from "../src/consumers/config.consumer.ts";
import { statusGroupId } from "../src/consumers/status.consumer.ts";
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

const SECRET = "whsec-0123456789abcdef-alerts";
const admin = token("t1", "admin");

describe("incidents from status events, delivered once", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let channelId = "";
  const seen = () => hook.received.map((r) => String(r.headers["idempotency-key"]));

  beforeAll(async () => {
    hook = await startReceiver();
    svc = await startAlertService();
    kafka = await kafkaFor(svc.topics);
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Ops hook", type: "WEBHOOK", config: { url: `${hook.url}/hooks/hip`, secret: SECRET } },
    });
    expect(ch.status).toBe(201);
    channelId = ch.body.id;
    const pol = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: {
        name: "Everything",
        integrations: { scope: "all" },
        channelIds: [channelId],
        renotifyMinutes: 5,
      },
    });
    expect(pol.status).toBe(201);
  });

  afterAll(async () => {
    await kafka?.close();
    await svc?.close({ keepDatabase: true });
    await svc?.database?.drop();
    await hook?.close();
  });

  async function incidentOf(integrationId: string, state?: string) {
    return waitFor(
      async () => {
        const res = await svc.request("GET", `${API}/incidents?integrationId=${integrationId}`, {
          token: admin,
        });
        const found = res.body.data?.[0];
        return found && (!state || found.state === state) ? found : null;
      },
      { what: `incident of ${integrationId} in state ${state ?? "any"}`, timeoutMs: 30_000 },
    );
  }

  it("opens on ERROR with the probe's error, pages once with a signed, keyed webhook, and emits incident.opened", async () => {
    const lab = new FakeIntegration("t1", "Lab results API");
    const probe = lab.probeFailed("CONNECTION_REFUSED");
    const error = lab.statusChanged("ERROR", probe.id);
    await kafka.publish(svc.topics.config, [lab.created()]);
    await kafka.publish(svc.topics.status, [probe, error]);
    const incident = await incidentOf(lab.id);
    expect(incident).toMatchObject({
      state: "open",
      integrationName: "Lab results API",
      integrationType: "LAB_SYSTEM",
      error: { code: "CONNECTION_REFUSED", stage: "connect" },
      openedAt: error.time,
    });
    await waitFor(() => hook.accepted.length >= 1, { what: "webhook delivery" });
    const req = hook.received[0];
    if (!req) throw new Error("no request");
    expect(req.path).toBe("/hooks/hip");
    expect(req.headers["idempotency-key"]).toBe(`${incident.id}:opened`);
    expect(req.headers["x-hip-event-id"]).toBe(`${incident.id}:opened`);
    expect(
      verifyWebhook({
        secret: SECRET,
        rawBody: req.raw,
        timestampHeader: String(req.headers["x-hip-timestamp"]),
        signatureHeader: String(req.headers["x-hip-signature"]),
      }),
    ).toBe(true);
    const body = AlertWebhookBody.parse(req.json);
    expect(body).toMatchObject({
      id: `${incident.id}:opened`,
      type: "hip.incident.opened",
      tenant: { id: "t1" },
      integration: { id: lab.id, name: "Lab results API", type: "LAB_SYSTEM" },
      incident: { id: incident.id, state: "open", resolvedAt: null },
      error: { code: "CONNECTION_REFUSED", stage: "connect" },
    });
    expect(body.link).toContain(`/incidents/${incident.id}`);
    const opened = await waitFor(() =>
      kafka.incidents.find((e) => e.event.type === "incident.opened" && e.event.subject === lab.id),
    );
    expect(opened.key).toBe(lab.id);
    expect(opened.raw).not.toContain(SECRET);
    expect(opened.raw).not.toContain("/hooks/hip");

    const detail = await svc.request("GET", `${API}/incidents/${incident.id}`, {
      token: token("t1", "viewer"),
    });
    expect(detail.status).toBe(200);
    await waitFor(
      async () => {
        const d = await svc.request("GET", `${API}/incidents/${incident.id}`, { token: admin });
        return d.body.timeline.some(
          (t: { kind: string; data: { outcome?: string } }) =>
            t.kind === "delivery" && t.data.outcome === "success",
        );
      },
      { what: "delivery in timeline" },
    );
    const timeline = (await svc.request("GET", `${API}/incidents/${incident.id}`, { token: admin })).body
      .timeline;
    expect(timeline[0]).toMatchObject({
      kind: "opened",
      data: { error: { code: "CONNECTION_REFUSED" }, causationId: error.id },
    });
    const delivery = timeline.find((t: { kind: string }) => t.kind === "delivery");
    expect(delivery.data).toMatchObject({
      channelId,
      channelType: "WEBHOOK",
      outcome: "success",
      statusCode: 200,
      attempt: 1,
    });
    expect(typeof delivery.data.latencyMs).toBe("number");

    // Redelivery of the same event and a stale one (same sequence, new id): no second incident, no second page.
    await kafka.publish(svc.topics.status, [error, { ...error, id: crypto.randomUUID() }]);
    const again = lab.statusChanged("ERROR", null);
    await kafka.publish(svc.topics.status, [again]);
    await waitFor(
      async () =>
        (
          await svc.runtime.deps.db.execute(
            `select 1 from alerts.processed_events where event_id = '${again.id}'`,
          )
        ).rows.length === 1,
      { what: "later ERROR applied" },
    );
    const list = await svc.request("GET", `${API}/incidents?integrationId=${lab.id}`, { token: admin });
    expect(list.body.data).toHaveLength(1);
    expect(seen().filter((k) => k.startsWith(incident.id))).toEqual([`${incident.id}:opened`]);

    // Recovery resolves it and sends the resolve notice (notifyOnResolve defaults to true).
    const recovered = lab.statusChanged("ACTIVE");
    await kafka.publish(svc.topics.status, [recovered]);
    const resolved = await incidentOf(lab.id, "resolved");
    expect(resolved).toMatchObject({ resolveReason: "recovered", resolvedAt: recovered.time });
    expect(resolved.durationMs).toBe(Date.parse(recovered.time) - Date.parse(error.time));
    await waitFor(() => seen().includes(`${incident.id}:resolved`), { what: "resolve notice" });
    const resolveBody = AlertWebhookBody.parse(
      hook.received.find((r) => r.headers["idempotency-key"] === `${incident.id}:resolved`)?.json,
    );
    expect(resolveBody.incident).toMatchObject({ state: "resolved", resolveReason: "recovered" });
    await waitFor(() =>
      kafka.incidents.find((e) => e.event.type === "incident.resolved" && e.event.subject === lab.id),
    );
    const seqs = kafka.incidents.filter((e) => e.event.subject === lab.id).map((e) => e.event.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("resolves with reason inactive, and with reason deleted", async () => {
    const a = new FakeIntegration("t1", "Pharmacy feed", "PHARMACY_SYSTEM");
    const b = new FakeIntegration("t1", "PACS", "IMAGING_SYSTEM");
    await kafka.publish(svc.topics.config, [a.created(), b.created()]);
    await kafka.publish(svc.topics.status, [a.statusChanged("ERROR"), b.statusChanged("ERROR")]);
    await incidentOf(a.id, "open");
    await incidentOf(b.id, "open");
    await kafka.publish(svc.topics.status, [a.statusChanged("INACTIVE")]);
    await kafka.publish(svc.topics.config, [b.deleted()]);
    expect((await incidentOf(a.id, "resolved")).resolveReason).toBe("inactive");
    expect((await incidentOf(b.id, "resolved")).resolveReason).toBe("deleted");
    // A late status event of the deleted integration (older sequence, other topic) does not reopen anything.
    const late = { ...b.statusChanged("ERROR"), sequence: 2 };
    await kafka.publish(svc.topics.status, [late]);
    await waitFor(
      async () =>
        (
          await svc.runtime.deps.db.execute(
            `select 1 from alerts.processed_events where event_id = '${late.id}'`,
          )
        ).rows.length === 1,
    );
    const list = await svc.request("GET", `${API}/incidents?integrationId=${b.id}`, { token: admin });
    expect(list.body.data.map((i: { state: string }) => i.state)).toEqual(["resolved"]);
  });

  it("reminds from stored due times until acknowledged; ack stops reminders and tells the webhook", async () => {
    const lab = new FakeIntegration("t1", "HL7 ADT feed", "HL7");
    await kafka.publish(svc.topics.config, [lab.created()]);
    await kafka.publish(svc.topics.status, [lab.statusChanged("ERROR")]);
    const incident = await incidentOf(lab.id, "open");
    await waitFor(() => seen().includes(`${incident.id}:opened`));
    const timers = svc.runtime.timers;
    if (!timers) throw new Error("no timers");
    const openedAt = Date.parse(incident.openedAt);
    expect(await timers.fireDue(new Date(openedAt + 60_000))).toBe(0);
    expect(await timers.fireDue(new Date(openedAt + 5 * 60_000 + 1))).toBe(1);
    // Firing the same due time again (another replica, a restart) creates nothing new.
    expect(await timers.fireDue(new Date(openedAt + 5 * 60_000 + 1))).toBe(0);
    await waitFor(() => seen().includes(`${incident.id}:renotify-1`), { what: "reminder 1" });
    const ack = await svc.request("POST", `${API}/incidents/${incident.id}/ack`, {
      token: admin,
      body: { note: "on it" },
    });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ state: "acknowledged", acknowledgedBy: "admin@t1" });
    const again = await svc.request("POST", `${API}/incidents/${incident.id}/ack`, { token: admin });
    expect(again.status).toBe(200);
    await waitFor(() => seen().includes(`${incident.id}:acknowledged`), { what: "ack notice" });
    expect(await timers.fireDue(new Date(openedAt + 60 * 60_000))).toBe(0);
    const note = await svc.request("POST", `${API}/incidents/${incident.id}/notes`, {
      token: admin,
      body: { text: "vendor called" },
    });
    expect(note.status).toBe(201);
    const detail = await svc.request("GET", `${API}/incidents/${incident.id}`, { token: admin });
    const kinds = detail.body.timeline.map((t: { kind: string }) => t.kind);
    expect(kinds).toEqual(expect.arrayContaining(["opened", "renotified", "acknowledged", "note"]));
    expect(kinds.filter((k: string) => k === "acknowledged")).toHaveLength(1);
    const acks = kafka.incidents.filter(
      (e) => e.event.type === "incident.acknowledged" && e.event.subject === lab.id,
    );
    await waitFor(() =>
      kafka.incidents.some((e) => e.event.type === "incident.acknowledged" && e.event.subject === lab.id),
    );
    expect(acks.length).toBeLessThanOrEqual(1);
    const audit = await svc.runtime.deps.db.execute<{ action: string; actor: string }>(
      `select action, actor from alerts.audit_log where entity_id = '${incident.id}'`,
    );
    expect(audit.rows).toEqual([{ action: "acknowledge", actor: "admin@t1" }]);
  });

  it("a status change read from history (older than ALERT_NOTIFY_MAX_EVENT_AGE) opens an incident but pages nobody", async () => {
    const old = new FakeIntegration("t1", "Old outage", "FHIR");
    const stale = { ...old.statusChanged("ERROR"), time: new Date(Date.now() - 3 * 3600_000).toISOString() };
    await kafka.publish(svc.topics.config, [old.created()]);
    await kafka.publish(svc.topics.status, [stale]);
    const incident = await incidentOf(old.id, "open");
    const detail = await svc.request("GET", `${API}/incidents/${incident.id}`, { token: admin });
    expect(detail.body.timeline[0]).toMatchObject({
      kind: "opened",
      data: { notified: false, deliveries: 0 },
    });
    const rows = await svc.runtime.deps.db.execute(
      `select 1 from alerts.deliveries where incident_id = '${incident.id}'`,
    );
    expect(rows.rows).toHaveLength(0);
    await kafka.publish(svc.topics.status, [old.statusChanged("ACTIVE")]);
    await incidentOf(old.id, "resolved");
    expect(seen().some((k) => k.startsWith(incident.id))).toBe(false);
  });

  it("a tenant with no policy gets an incident but no notification", async () => {
    const t2 = token("t2", "admin");
    const ch = await svc.request("POST", `${API}/channels`, {
      token: t2,
      body: { name: "Unused", type: "WEBHOOK", config: { url: `${hook.url}/t2` } },
    });
    expect(ch.status).toBe(201);
    const other = new FakeIntegration("t2", "Billing gateway", "PAYMENT_GATEWAY");
    await kafka.publish(svc.topics.config, [other.created()]);
    await kafka.publish(svc.topics.status, [other.statusChanged("ERROR")]);
    const found = await waitFor(
      async () => (await svc.request("GET", `${API}/incidents`, { token: t2 })).body.data[0],
    );
    expect(found.integrationId).toBe(other.id);
    const rows = await svc.runtime.deps.db.execute(
      `select 1 from alerts.deliveries where incident_id = '${found.id}'`,
    );
    expect(rows.rows).toHaveLength(0);
    expect(hook.received.some((r) => r.path === "/t2")).toBe(false);
    // t1 never sees t2's incident.
    expect((await svc.request("GET", `${API}/incidents/${found.id}`, { token: admin })).status).toBe(404);
  });

  it("a delivery the database fails to record after the receiver's 2xx is recorded again, not sent again", async () => {
    const url = svc.database?.url;
    if (!url) throw new Error("test database");
    const sqlc = new pg.Client({ connectionString: url });
    await sqlc.connect();
    try {
      // The first two attempts to mark a delivery succeeded fail (a sequence is not rolled back with them).
      await sqlc.query(`
        create sequence public.fail_record_seq;
        create function public.fail_first_records() returns trigger language plpgsql security definer as $$
        begin
          if new.state = 'succeeded' and old.state = 'sending' and nextval('public.fail_record_seq') <= 2 then
            raise exception 'injected: recording the success failed';
          end if;
          return new;
        end $$;
        create trigger fail_first_records before update on alerts.deliveries
          for each row execute function public.fail_first_records();`);
      const pharmacy = new FakeIntegration("t1", "Pharmacy gateway");
      const probe = pharmacy.probeFailed("TIMEOUT");
      await kafka.publish(svc.topics.config, [pharmacy.created()]);
      await kafka.publish(svc.topics.status, [probe, pharmacy.statusChanged("ERROR", probe.id)]);
      const incident = await incidentOf(pharmacy.id);
      const key = `${incident.id}:opened`;
      await waitFor(
        async () => {
          const d = await svc.request("GET", `${API}/incidents/${incident.id}`, { token: admin });
          return d.body.timeline.some(
            (t: { kind: string; data: { outcome?: string } }) =>
              t.kind === "delivery" && t.data.outcome === "success",
          );
        },
        { what: "the success recorded after two failed records", timeoutMs: 30_000 },
      );
      expect((await sqlc.query("select last_value from public.fail_record_seq")).rows[0].last_value).toBe(
        "3",
      );
      expect(seen().filter((k) => k === key)).toHaveLength(1);
    } finally {
      await sqlc
        .query("drop trigger if exists fail_first_records on alerts.deliveries")
        .catch(() => undefined);
      await sqlc.end();
    }
  });

  it("purges applied event ids older than PROCESSED_EVENTS_RETENTION_HOURS (192 h) and keeps the rest", async () => {
    const db = svc.runtime.deps.db;
    const ids = async () =>
      (await db.execute<{ id: string }>("select event_id::text as id from alerts.processed_events")).rows
        .map((r) => r.id)
        .sort();
    const applied = await ids();
    expect(applied.length).toBeGreaterThan(0);
    const old = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await db.execute(
      `insert into alerts.processed_events (event_id, processed_at)
       select unnest('{${old.join(",")}}'::uuid[]), now() - interval '193 hours'`,
    );
    expect(await svc.runtime.purger?.runOnce()).toBe(3);
    // Every id this suite's events left is still there: the replay below finds them all.
    expect(await ids()).toEqual(applied);
  });

  it("a restart and a replay of both topics from offset 0 open nothing and page nobody", async () => {
    const before = hook.received.length;
    const count = async (s: TestService) =>
      Number(
        (await s.runtime.deps.db.execute<{ n: string }>("select count(*)::text as n from alerts.incidents"))
          .rows[0]?.n,
      );
    const incidentsBefore = await count(svc);
    const source = svc.source;
    await svc.close({ keepDatabase: true });
    const stack = new Kafka({ brokers: source.KAFKA_BROKERS?.split(",") ?? [], logLevel: logLevel.NOTHING });
    const admin2 = stack.admin();
    await admin2.connect();
    for (const [group, topic] of [
      [statusGroupId(source.KAFKA_TOPIC_PREFIX ?? ""), svc.topics.status],
      [configGroupId(source.KAFKA_TOPIC_PREFIX ?? ""), svc.topics.config],
    ] as const) {
      await waitFor(
        async () => {
          const d = await admin2.describeGroups([group]);
          return d.groups[0]?.members.length === 0;
        },
        { what: `group ${group} empty`, timeoutMs: 60_000 },
      );
      await admin2.resetOffsets({ groupId: group, topic, earliest: true });
    }
    await admin2.disconnect();
    const restarted = await startAlertService({ ...source });
    try {
      await waitFor(
        async () => {
          const lag = await kafka.bus.groupLag(statusGroupId(source.KAFKA_TOPIC_PREFIX ?? ""), [
            svc.topics.status,
          ]);
          const lagC = await kafka.bus.groupLag(configGroupId(source.KAFKA_TOPIC_PREFIX ?? ""), [
            svc.topics.config,
          ]);
          return (lag[svc.topics.status] ?? 1) === 0 && (lagC[svc.topics.config] ?? 1) === 0;
        },
        { what: "replay consumed", timeoutMs: 90_000, intervalMs: 500 },
      );
      const outcomes =
        await restarted.runtime.metrics.registry.getSingleMetricAsString("hip_alert_events_total");
      expect(outcomes).toMatch(/outcome="duplicate"/);
      expect(outcomes).not.toMatch(/outcome="opened"/);
      const pending = await restarted.runtime.deps.db.execute(
        "select 1 from alerts.deliveries where state in ('pending','sending')",
      );
      expect(pending.rows).toHaveLength(0);
      expect(await count(restarted)).toBe(incidentsBefore);
      expect(hook.received.length).toBe(before);
    } finally {
      await restarted.close();
    }
  });
});
