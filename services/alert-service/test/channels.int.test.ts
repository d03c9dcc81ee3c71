import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink, type SmtpSink } from "../src/dev/smtp-sink.ts";
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

/** Channel formats and delivery failure modes against real peers on loopback (HTTP receivers, an SMTP server). */
describe("channels and delivery guarantees", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let smtp: SmtpSink;
  const receivers: Receiver[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    svc = await startAlertService({
      SMTP_URL: smtp.smtpUrl,
      ALERT_EMAIL_FROM: "HIP Alerts <alerts@hip.test>",
    });
    kafka = await kafkaFor(svc.topics);
  });

  afterAll(async () => {
    await kafka?.close();
    await svc?.close();
    await smtp?.close();
    for (const r of receivers) await r.close();
  });

  async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  }

  /** A tenant with one channel and a policy for all its integrations; returns the channel id. */
  async function setup(tenant: string, channel: Record<string, unknown>): Promise<string> {
    const t = token(tenant);
    const ch = await svc.request("POST", `${API}/channels`, {
      token: t,
      body: { name: `${tenant} channel`, ...channel },
    });
    expect(ch.status, JSON.stringify(ch.body)).toBe(201);
    const pol = await svc.request("POST", `${API}/policies`, {
      token: t,
      body: { name: "all", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    expect(pol.status).toBe(201);
    return ch.body.id;
  }

  /** Opens an incident for a new integration of `tenant`; returns the incident. */
  async function breakIntegration(tenant: string, name = "Lab results API") {
    const lab = new FakeIntegration(tenant, name);
    const probe = lab.probeFailed("HTTP_STATUS", "health endpoint answered 503");
    await kafka.publish(svc.topics.config, [lab.created()]);
    await kafka.publish(svc.topics.status, [probe, lab.statusChanged("ERROR", probe.id)]);
    const incident = await waitFor(
      async () => (await svc.request("GET", `${API}/incidents`, { token: token(tenant) })).body.data[0],
      {
        what: `incident for ${tenant}`,
      },
    );
    return { lab, incident };
  }

  async function timeline(tenant: string, id: string) {
    return (await svc.request("GET", `${API}/incidents/${id}`, { token: token(tenant) })).body
      .timeline as Array<{
      kind: string;
      data: Record<string, unknown>;
    }>;
  }

  it("SLACK gets Block Kit with the facts and the link", async () => {
    const slack = await receiver();
    await setup("slack-t", {
      type: "SLACK",
      config: { url: `${slack.url}/services/T000/B000/XXXXsecretXXXX` },
    });
    const { incident } = await breakIntegration("slack-t", "Slack lab");
    await waitFor(() => slack.accepted.length === 1, { what: "slack message" });
    const body = slack.received[0]?.json;
    expect(body.text).toBe("[OPEN] Slack lab is failing");
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "[OPEN] Slack lab is failing", emoji: true },
    });
    expect(body.blocks[1].type).toBe("section");
    const fields = body.blocks[1].fields.map((f: { type: string; text: string }) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        "*Integration*\nSlack lab",
        "*Error*\nHTTP_STATUS at connect",
        "*Tenant*\nslack-t",
      ]),
    );
    expect(body.blocks[2].elements[0]).toMatchObject({
      type: "button",
      url: expect.stringContaining(`/incidents/${incident.id}`),
    });
    const ch = (await svc.request("GET", `${API}/channels`, { token: token("slack-t") })).body.data[0];
    expect(ch.config.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*\*XXXX$/);
    expect(JSON.stringify(ch)).not.toContain("secretXXXX");
    await waitFor(
      async () =>
        (await svc.request("GET", `${API}/channels/${ch.id}`, { token: token("slack-t") })).body.lastDelivery
          ?.outcome === "succeeded",
    );
  });

  it("TEAMS gets a workflow message with one Adaptive Card", async () => {
    const teams = await receiver(() => ({ status: 202 }));
    await setup("teams-t", {
      type: "TEAMS",
      config: { url: `${teams.url}/workflows/abc/triggers/manual/paths/invoke?sig=s3cr3t` },
    });
    const { incident } = await breakIntegration("teams-t", "Teams lab");
    await waitFor(() => teams.accepted.length === 1, { what: "teams message" });
    const req = teams.received[0];
    expect(req?.path).toContain("sig=s3cr3t");
    const body = req?.json;
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const att = body.attachments[0];
    expect(att.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(att.content).toMatchObject({ type: "AdaptiveCard", version: "1.4" });
    expect(att.content.body[0]).toMatchObject({ type: "TextBlock", text: "[OPEN] Teams lab is failing" });
    expect(att.content.body[1].type).toBe("FactSet");
    expect(att.content.body[1].facts).toContainEqual({
      title: "Message",
      value: "health endpoint answered 503",
    });
    expect(att.content.actions[0]).toMatchObject({
      type: "Action.OpenUrl",
      url: expect.stringContaining(incident.id),
    });
  });

  it("PAGERDUTY gets trigger, acknowledge and resolve with dedup_key = incident id", async () => {
    const pd = await receiver(() => ({
      status: 202,
      body: '{"status":"success","message":"Event processed"}',
    }));
    await setup("pd-t", {
      type: "PAGERDUTY",
      config: { routingKey: "R0UT1NGKEY0123456789abcdefabcdef", url: `${pd.url}/v2/enqueue` },
    });
    const { lab, incident } = await breakIntegration("pd-t", "PD lab");
    await waitFor(() => pd.accepted.length === 1, { what: "trigger" });
    const trigger = pd.received[0]?.json;
    expect(trigger).toMatchObject({
      routing_key: "R0UT1NGKEY0123456789abcdefabcdef",
      event_action: "trigger",
      dedup_key: incident.id,
      payload: { summary: "[OPEN] PD lab is failing", source: "PD lab", severity: "critical", group: "pd-t" },
    });
    expect(pd.received[0]?.path).toBe("/v2/enqueue");
    const ack = await svc.request("POST", `${API}/incidents/${incident.id}/ack`, { token: token("pd-t") });
    expect(ack.status).toBe(200);
    await waitFor(() => pd.accepted.length === 2, { what: "acknowledge" });
    expect(pd.received[1]?.json).toEqual({
      routing_key: "R0UT1NGKEY0123456789abcdefabcdef",
      event_action: "acknowledge",
      dedup_key: incident.id,
    });
    await kafka.publish(svc.topics.status, [lab.statusChanged("ACTIVE")]);
    await waitFor(() => pd.accepted.length === 3, { what: "resolve" });
    expect(pd.received[2]?.json).toEqual({
      routing_key: "R0UT1NGKEY0123456789abcdefabcdef",
      event_action: "resolve",
      dedup_key: incident.id,
    });
    const view = (await svc.request("GET", `${API}/channels`, { token: token("pd-t") })).body.data[0];
    expect(view.config.routingKey).toBe("****cdef");
    expect(JSON.stringify(view)).not.toContain("R0UT1NGKEY");
  });

  it("EMAIL goes over SMTP with text and HTML bodies, the facts, the link and a stable Message-ID", async () => {
    await setup("mail-t", { type: "EMAIL", config: { to: ["oncall@hospital.test", "it@hospital.test"] } });
    const { incident } = await breakIntegration("mail-t", "Mail lab");
    const mail = await waitFor(() => smtp.messages.find((m) => m.subject.includes("Mail lab")), {
      what: "mail",
    });
    expect(mail.subject).toBe("[HIP] [OPEN] Mail lab is failing");
    expect(mail.envelope.to.sort()).toEqual(["it@hospital.test", "oncall@hospital.test"]);
    expect(mail.from).toContain("alerts@hip.test");
    expect(mail.text).toContain("Error: HTTP_STATUS at connect");
    expect(mail.text).toContain(`/incidents/${incident.id}`);
    expect(mail.html).toContain(
      `href="http://127.0.0.1:3002/dashboard/integration/incidents/${incident.id}"`,
    );
    expect(mail.html).toContain("health endpoint answered 503");
    expect(mail.messageId).toContain(`${incident.id}.opened`);
    expect(mail.headers["x-hip-event-id"]).toBe(`${incident.id}:opened`);
  });

  it("a receiver that fails 5 times then succeeds gets 6 attempts with the same key, one success recorded", async () => {
    const flaky = await receiver((_r, n) => (n <= 5 ? { status: 503, body: "busy" } : { status: 204 }));
    await setup("flaky-t", { type: "WEBHOOK", config: { url: `${flaky.url}/hook` } });
    const { incident } = await breakIntegration("flaky-t");
    await waitFor(() => flaky.accepted.length === 1, { what: "6th attempt accepted", timeoutMs: 30_000 });
    expect(flaky.received).toHaveLength(6);
    expect(new Set(flaky.received.map((r) => r.headers["idempotency-key"]))).toEqual(
      new Set([`${incident.id}:opened`]),
    );
    const entries = (await timeline("flaky-t", incident.id)).filter((t) => t.kind === "delivery");
    expect(entries.map((e) => e.data.outcome)).toEqual([
      "retry",
      "retry",
      "retry",
      "retry",
      "retry",
      "success",
    ]);
    expect(entries.map((e) => e.data.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(entries[0]?.data).toMatchObject({ statusCode: 503, error: { code: "HTTP_503" } });
    const rows = await svc.runtime.deps.db.execute<{ state: string; attempts: number }>(
      `select state, attempts from alerts.deliveries where incident_id = '${incident.id}'`,
    );
    expect(rows.rows).toEqual([{ state: "succeeded", attempts: 6 }]);
  });

  it("429 with Retry-After is retried no earlier than the receiver asked", async () => {
    const limited = await receiver((_r, n) =>
      n === 1 ? { status: 429, headers: { "retry-after": "2" } } : { status: 200 },
    );
    await setup("ratelimited-t", { type: "WEBHOOK", config: { url: `${limited.url}/hook` } });
    const { incident } = await breakIntegration("ratelimited-t");
    await waitFor(() => limited.accepted.length === 1, { what: "retry after 429", timeoutMs: 30_000 });
    const [first, second] = (await timeline("ratelimited-t", incident.id)).filter(
      (t) => t.kind === "delivery",
    );
    expect(first?.data).toMatchObject({ outcome: "retry", statusCode: 429 });
    expect(second?.data.outcome).toBe("success");
    const attempts = limited.received.map((r) => r.at);
    expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(1900);
  });

  it("a receiver that is down at first gets the notice once it comes up", async () => {
    const probe = await receiver();
    const port = probe.port;
    await probe.close();
    receivers.splice(receivers.indexOf(probe), 1);
    await setup("down-t", { type: "WEBHOOK", config: { url: `http://127.0.0.1:${port}/hook` } });
    const { incident } = await breakIntegration("down-t");
    await waitFor(
      async () =>
        (await timeline("down-t", incident.id)).filter((t) => t.data.outcome === "retry").length >= 3,
      {
        what: "three refused attempts",
      },
    );
    const refused = (await timeline("down-t", incident.id)).find((t) => t.data.outcome === "retry");
    expect(refused?.data.error).toMatchObject({ code: "CONNECTION_REFUSED" });
    const up = await receiver(undefined, port);
    await waitFor(() => up.accepted.length === 1, { what: "delivery after coming up", timeoutMs: 30_000 });
    expect(up.received[0]?.headers["idempotency-key"]).toBe(`${incident.id}:opened`);
  });

  it("a 4xx other than 408/425/429 fails fast: notification_failed in the timeline, on Kafka and in the metric", async () => {
    const gone = await receiver(() => ({ status: 410, body: "channel_is_archived" }));
    await setup("gone-t", { type: "WEBHOOK", config: { url: `${gone.url}/hook` } });
    const { lab, incident } = await breakIntegration("gone-t");
    const failed = await waitFor(
      async () => (await timeline("gone-t", incident.id)).find((t) => t.kind === "notification_failed"),
      {
        what: "notification_failed entry",
      },
    );
    expect(failed.data).toMatchObject({
      transition: "opened",
      attempts: 1,
      error: { code: "HTTP_410", statusCode: 410 },
    });
    expect(gone.received).toHaveLength(1);
    const event = await waitFor(() =>
      kafka.incidents.find(
        (e) => e.event.type === "incident.notification_failed" && e.event.subject === lab.id,
      ),
    );
    expect(event.event.data).toMatchObject({
      delivery: { channelType: "WEBHOOK", attempts: 1, lastError: { code: "HTTP_410" } },
    });
    const metrics = await svc.runtime.app.inject({ method: "GET", url: "/metrics" });
    expect(metrics.body).toMatch(
      /hip_alert_notifications_total\{channel_type="WEBHOOK",outcome="failed"\} [1-9]/,
    );
    expect(metrics.body).toMatch(/hip_alert_delivery_latency_seconds_count\{channel_type="SLACK"\} 1/);
    expect(metrics.body).toMatch(/hip_alert_open_incidents\{state="open"\} \d+/);
    expect(metrics.body).toMatch(/hip_alert_queue_depth\{state="delayed"\} \d+/);
    expect(metrics.body).toMatch(/hip_alert_oldest_pending_delivery_age_seconds \d/);
  });

  it("a channel test sends a signed test notice (webhook) and trigger + resolve (PagerDuty), and is recorded", async () => {
    const hook = await receiver();
    const pd = await receiver(() => ({ status: 202 }));
    const t = token("test-t");
    const wh = await svc.request("POST", `${API}/channels`, {
      token: t,
      body: {
        name: "hook",
        type: "WEBHOOK",
        config: { url: `${hook.url}/t`, secret: "test-secret-0123456789" },
      },
    });
    const res = await svc.request("POST", `${API}/channels/${wh.body.id}/test`, { token: t });
    expect(res.body).toMatchObject({ ok: true, channelType: "WEBHOOK", statusCode: 200, error: null });
    expect(hook.received[0]?.json).toMatchObject({ type: "hip.incident.test", transition: "test" });
    expect(hook.received[0]?.headers["x-hip-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    const p = await svc.request("POST", `${API}/channels`, {
      token: t,
      body: {
        name: "pd",
        type: "PAGERDUTY",
        config: { routingKey: "routing-key-0123456789", url: `${pd.url}/e` },
      },
    });
    const pdRes = await svc.request("POST", `${API}/channels/${p.body.id}/test`, { token: t });
    expect(pdRes.body).toMatchObject({ ok: true, statusCode: 202 });
    expect(pd.received.map((r) => r.json.event_action)).toEqual(["trigger", "resolve"]);
    expect(pd.received[0]?.json.payload.severity).toBe("info");
    const view = await svc.request("GET", `${API}/channels/${p.body.id}`, { token: t });
    expect(view.body.lastTest).toMatchObject({ ok: true, code: null });
  });

  it("never logs or publishes a channel secret", () => {
    const logs = svc.logs.join("\n");
    for (const secret of ["XXXXsecretXXXX", "sig=s3cr3t", "R0UT1NGKEY0123456789abcdefabcdef"]) {
      expect(logs).not.toContain(secret);
      expect(kafka.incidents.map((e) => e.raw).join("\n")).not.toContain(secret);
    }
  });
});
