import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyConfigEvent } from "../src/domain/projection/apply-config-event.ts";
import { applyStatusEvent } from "../src/domain/projection/apply-status-event.ts";
import { type Receiver, startReceiver } from "./receivers.ts";
import { API, FakeIntegration, startAlertService, type TestService, token } from "./support.ts";

const WEBHOOK_SECRET = "whsec-api-test-0123456789";

/** REST: validation naming the field, roles, tenancy (other tenant's id -> 404), masks, audit, SSRF on tests. */
describe("alert REST API", () => {
  let svc: TestService;
  let peer: Receiver;
  const admin = token("t1");
  const viewer = token("t1", "viewer");
  const other = token("t2");

  beforeAll(async () => {
    peer = await startReceiver();
    // No private range allowed: a loopback receiver is a blocked target here.
    svc = await startAlertService({ ALERT_ALLOWED_CIDRS: "" }, { kafka: false, start: false });
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
  });

  const fields = (body: { error?: { details?: Array<{ field: string; rule: string }> } }) =>
    (body.error?.details ?? []).map((d) => `${d.field}:${d.rule}`);

  it("every route authenticates at onRequest: no token plus bad input is 401", async () => {
    // Every route of the service, enumerated: without a token and with bad input each answers 401.
    const { PUBLIC_PATHS, routesNotAuthenticatingFirst } = await import("@hip/service-kit");
    const inventory = svc.runtime.app.routeInventory.filter((r) => !PUBLIC_PATHS.test(r.url));
    expect(inventory.length).toBeGreaterThanOrEqual(8);
    expect(inventory.filter((r) => !r.guarded)).toEqual([]);
    expect(await routesNotAuthenticatingFirst(svc.runtime.app)).toEqual([]);
  });

  it("refuses missing, forged and wrong-role tokens", async () => {
    expect((await svc.request("GET", `${API}/incidents`)).status).toBe(401);
    // The guard runs before validation: no token and bad input is 401, never a 400 describing the route.
    expect((await svc.request("GET", `${API}/incidents?state=bogus`)).status).toBe(401);
    expect((await svc.request("POST", `${API}/channels`, { body: { type: "nope" } })).status).toBe(401);
    expect(
      (await svc.request("GET", `${API}/channels`, { token: token("t1", "admin", "x".repeat(40)) })).status,
    ).toBe(401);
    const body = { name: "n", type: "SLACK", config: { url: "https://hooks.slack.com/services/T/B/x" } };
    expect((await svc.request("POST", `${API}/channels`, { token: viewer, body })).status).toBe(403);
    expect((await svc.request("GET", `${API}/channels`, { token: viewer })).status).toBe(200);
    expect((await svc.request("GET", `${API}/policies`, { token: viewer })).status).toBe(200);
  });

  it("validates channel bodies per type and names the field", async () => {
    const bad = async (body: unknown) => {
      const res = await svc.request("POST", `${API}/channels`, { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("VALIDATION");
      return fields(res.body);
    };
    expect(await bad({ name: "a", type: "WEBHOOK", config: {} })).toContain("config.url:required");
    expect(await bad({ name: "a", type: "WEBHOOK", config: { url: "ftp://x.example/" } })).toContain(
      "config.url:custom",
    );
    expect(
      await bad({ name: "a", type: "WEBHOOK", config: { url: "https://x.example/", secret: "short" } }),
    ).toContain("config.secret:min");
    expect(await bad({ name: "a", type: "EMAIL", config: { to: ["not-an-address"] } })).toContain(
      "config.to.0:email",
    );
    expect(
      await bad({ name: "a", type: "PAGERDUTY", config: { routingKey: "k".repeat(32), extra: 1 } }),
    ).toContain("config.extra:unknown_field");
    expect((await bad({ name: "a", type: "SMS", config: {} })).join()).toMatch(/type:/);
    expect(await bad({ type: "SLACK", config: { url: "https://hooks.slack.com/x" } })).toContain(
      "name:required",
    );
  });

  it("stores channel secrets encrypted, answers and audits masks only; other tenants get 404", async () => {
    const created = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: {
        name: "Ops hook",
        type: "WEBHOOK",
        config: { url: `${peer.url}/hook?token=abc123tok`, secret: WEBHOOK_SECRET },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      type: "WEBHOOK",
      config: { secret: "****6789", url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/\*\*\*\*3tok$/) },
      secretsSet: { url: true, secret: true },
      lastDelivery: null,
      version: 1,
    });
    expect(created.raw).not.toContain("abc123tok");
    const dup = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "OPS HOOK", type: "SLACK", config: { url: "https://hooks.slack.com/services/T/B/x" } },
    });
    expect(dup.status).toBe(409);
    expect(fields(dup.body)).toEqual(["name:unique"]);

    const row = (
      await svc.runtime.deps.db.execute<{ config: unknown; secrets_enc: string; masks: unknown }>(
        `select config, secrets_enc, masks from alerts.channels where id = '${id}'`,
      )
    ).rows[0];
    expect(JSON.stringify(row)).not.toContain("abc123tok");
    expect(JSON.stringify(row)).not.toContain(WEBHOOK_SECRET);
    expect(row?.secrets_enc).toMatch(/^v1:k1:/);

    for (const [method, url] of [
      ["GET", `${API}/channels/${id}`],
      ["PATCH", `${API}/channels/${id}`],
      ["DELETE", `${API}/channels/${id}`],
      ["POST", `${API}/channels/${id}/test`],
    ] as const) {
      const res = await svc.request(method, url, {
        token: other,
        ...(method === "PATCH" ? { body: { name: "x" } } : {}),
      });
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    expect((await svc.request("GET", `${API}/channels`, { token: other })).body.data).toEqual([]);

    const badPatch = await svc.request("PATCH", `${API}/channels/${id}`, {
      token: admin,
      body: { config: { url: "nope" } },
    });
    expect(badPatch.status).toBe(400);
    expect(fields(badPatch.body)).toEqual(["config.url:custom"]);
    const unsigned = await svc.request("PATCH", `${API}/channels/${id}`, {
      token: admin,
      body: { config: { secret: null } },
    });
    expect(unsigned.status).toBe(200);
    expect(unsigned.body).toMatchObject({ secretsSet: { url: true, secret: false }, version: 2 });
    expect(unsigned.body.config.url).toBe(created.body.config.url);
    const same = await svc.request("PATCH", `${API}/channels/${id}`, {
      token: admin,
      body: { name: "Ops hook" },
    });
    expect(same.body.version).toBe(2);

    const audit = await svc.runtime.deps.db.execute<{ action: string; before: unknown; after: unknown }>(
      `select action, before, after from alerts.audit_log where entity_id = '${id}' order by id`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["create", "update"]);
    const text = JSON.stringify(audit.rows);
    expect(text).not.toContain("abc123tok");
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(text).toContain("****6789");
  });

  it("a channel test against a blocked target fails with SSRF_BLOCKED and never connects", async () => {
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Loopback", type: "SLACK", config: { url: `${peer.url}/services/T/B/secret` } },
    });
    const meta = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: {
        name: "Metadata",
        type: "WEBHOOK",
        config: { url: "http://169.254.169.254/latest/meta-data/" },
      },
    });
    for (const id of [ch.body.id, meta.body.id]) {
      const res = await svc.request("POST", `${API}/channels/${id}/test`, { token: admin });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ok: false, error: { code: "SSRF_BLOCKED" }, statusCode: null });
      expect(res.body.error.message).not.toContain("secret");
    }
    expect(peer.connections).toBe(0);
    const view = await svc.request("GET", `${API}/channels/${ch.body.id}`, { token: viewer });
    expect(view.body.lastTest).toMatchObject({ ok: false, code: "SSRF_BLOCKED" });
    expect((await svc.request("POST", `${API}/channels/${ch.body.id}/test`, { token: viewer })).status).toBe(
      403,
    );
  });

  it("validates policies, including that channels belong to the tenant", async () => {
    const ch = (await svc.request("GET", `${API}/channels`, { token: admin })).body.data[0];
    const theirs = await svc.request("POST", `${API}/channels`, {
      token: other,
      body: { name: "Theirs", type: "EMAIL", config: { to: ["a@b.test"] } },
    });
    const bad = async (body: unknown) => {
      const res = await svc.request("POST", `${API}/policies`, { token: admin, body });
      expect(res.status).toBe(400);
      return fields(res.body);
    };
    expect(await bad({ name: "p", integrations: { scope: "all" }, channelIds: [theirs.body.id] })).toEqual([
      "channelIds.0:exists",
    ]);
    expect(
      await bad({
        name: "p",
        integrations: { scope: "all" },
        channelIds: [ch.id],
        escalation: { afterMinutes: 10, channelIds: [theirs.body.id] },
      }),
    ).toEqual(["escalation.channelIds.0:exists"]);
    expect(
      await bad({ name: "p", integrations: { scope: "types", types: [] }, channelIds: [ch.id] }),
    ).toContain("integrations.types:min");
    expect(
      await bad({ name: "p", integrations: { scope: "all" }, channelIds: [ch.id], renotifyMinutes: 0 }),
    ).toContain("renotifyMinutes:min");
    expect(await bad({ name: "p", integrations: { scope: "all" }, channelIds: [] })).toContain(
      "channelIds:min",
    );

    const created = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "Labs", integrations: { scope: "types", types: ["LAB_SYSTEM"] }, channelIds: [ch.id] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      enabled: true,
      notifyOnResolve: true,
      renotifyMinutes: null,
      escalation: null,
      version: 1,
    });
    const patched = await svc.request("PATCH", `${API}/policies/${created.body.id}`, {
      token: admin,
      body: { renotifyMinutes: 15, escalation: { afterMinutes: 30, channelIds: [ch.id] } },
    });
    expect(patched.body).toMatchObject({ renotifyMinutes: 15, escalation: { afterMinutes: 30 }, version: 2 });
    expect((await svc.request("GET", `${API}/policies/${created.body.id}`, { token: other })).status).toBe(
      404,
    );
    expect(
      (
        await svc.request("PATCH", `${API}/policies/${created.body.id}`, {
          token: viewer,
          body: { enabled: false },
        })
      ).status,
    ).toBe(403);

    const inUse = await svc.request("DELETE", `${API}/channels/${ch.id}`, { token: admin });
    expect(inUse.status).toBe(409);
    expect(fields(inUse.body)).toEqual(["id:in_use"]);
    expect((await svc.request("DELETE", `${API}/policies/${created.body.id}`, { token: admin })).status).toBe(
      200,
    );
    expect((await svc.request("DELETE", `${API}/channels/${ch.id}`, { token: admin })).status).toBe(200);
    expect((await svc.request("GET", `${API}/channels/${ch.id}`, { token: admin })).status).toBe(404);
    const audit = await svc.runtime.deps.db.execute<{ entity_type: string; action: string }>(
      `select entity_type, action from alerts.audit_log where entity_id = '${created.body.id}' order by id`,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["create", "update", "delete"]);
  });

  it("lists incidents unresolved first with a cursor, reads one with its timeline, and guards ack and notes", async () => {
    const deps = svc.runtime.deps;
    const a = new FakeIntegration("t1", "A");
    const b = new FakeIntegration("t1", "B");
    const c = new FakeIntegration("t1", "C");
    for (const i of [a, b, c]) await applyConfigEvent(deps, i.created());
    await applyStatusEvent(deps, a.statusChanged("ERROR"));
    await applyStatusEvent(deps, a.statusChanged("ACTIVE"));
    await applyStatusEvent(deps, b.statusChanged("ERROR"));
    await applyStatusEvent(deps, c.statusChanged("ERROR"));
    const page1 = await svc.request("GET", `${API}/incidents?limit=2`, { token: viewer });
    expect(page1.body.data.map((i: { integrationName: string }) => i.integrationName)).toEqual(["C", "B"]);
    const page2 = await svc.request("GET", `${API}/incidents?limit=2&cursor=${page1.body.nextCursor}`, {
      token: viewer,
    });
    expect(page2.body.data.map((i: { integrationName: string }) => i.integrationName)).toEqual(["A"]);
    expect(page2.body.nextCursor).toBeNull();
    const open = await svc.request("GET", `${API}/incidents?state=resolved`, { token: viewer });
    expect(open.body.data).toHaveLength(1);
    expect(
      fields((await svc.request("GET", `${API}/incidents?state=closed`, { token: viewer })).body),
    ).toEqual(["querystring.state:enum"]);
    expect(fields((await svc.request("GET", `${API}/incidents?cursor=zzz`, { token: viewer })).body)).toEqual(
      ["cursor:cursor"],
    );
    expect(fields((await svc.request("GET", `${API}/incidents/not-a-uuid`, { token: viewer })).body)).toEqual(
      ["params.id:uuid"],
    );
    expect((await svc.request("GET", `${API}/incidents`, { token: other })).body.data).toEqual([]);

    const resolvedId = open.body.data[0].id;
    const bId = page1.body.data[1].id;
    expect((await svc.request("POST", `${API}/incidents/${bId}/ack`, { token: viewer })).status).toBe(403);
    expect((await svc.request("POST", `${API}/incidents/${bId}/ack`, { token: other })).status).toBe(404);
    expect(
      (await svc.request("POST", `${API}/incidents/${bId}/notes`, { token: other, body: { text: "x" } }))
        .status,
    ).toBe(404);
    expect(
      fields(
        (await svc.request("POST", `${API}/incidents/${bId}/notes`, { token: admin, body: { text: "" } }))
          .body,
      ),
    ).toEqual(["text:min"]);
    const conflict = await svc.request("POST", `${API}/incidents/${resolvedId}/ack`, { token: admin });
    expect(conflict.status).toBe(409);
    const detail = await svc.request("GET", `${API}/incidents/${resolvedId}`, { token: viewer });
    expect(detail.body.timeline.map((t: { kind: string }) => t.kind)).toEqual(["opened", "resolved"]);
  });

  it("serves OpenAPI at /docs with every alert route", async () => {
    const res = await svc.runtime.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(JSON.parse(res.body).paths);
    for (const p of [
      "/api/integration/alerts/incidents",
      "/api/integration/alerts/incidents/{id}",
      "/api/integration/alerts/incidents/{id}/ack",
      "/api/integration/alerts/incidents/{id}/notes",
      "/api/integration/alerts/channels",
      "/api/integration/alerts/channels/{id}",
      "/api/integration/alerts/channels/{id}/test",
      "/api/integration/alerts/policies",
      "/api/integration/alerts/policies/{id}",
    ]) {
      expect(paths).toContain(p);
    }
  });
});
