import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { type Receiver, startReceiver } from "./receivers.ts";
import {
  API,
  FakeIntegration,
  kafkaFor,
  startAlertService,
  type TestService,
  token,
  waitFor,
} from "./support.ts";

const TENANT = "tmaint";
const admin = token(TENANT);

/**
 * Issue 12 acceptance, maintenance: an outage inside a window pages nobody; at the window's end exactly one
 * notice if still failing, none if it recovered inside. The clock is simulated (timers fire at simulated now);
 * events carry simulated times. Real Postgres, Redis, Kafka and a real webhook receiver.
 */
describe("maintenance windows", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let db: pg.Client;
  // 1 June 2026 10:00Z = 12:00 in Berlin (CEST).
  let simNow = Date.parse("2026-06-01T09:50:00Z");
  const keys = () => hook.accepted.map((r) => String(r.headers["idempotency-key"]));

  beforeAll(async () => {
    hook = await startReceiver();
    svc = await startAlertService({}, { clock: () => new Date(simNow) });
    kafka = await kafkaFor(svc.topics);
    db = new pg.Client({ connectionString: svc.source.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await kafka?.close();
    await db?.end();
    await svc?.close();
    await hook?.close();
  });

  const at = <T extends { time: string }>(e: T): T => ({ ...e, time: new Date(simNow).toISOString() });

  async function applied(lab: FakeIntegration) {
    await waitFor(
      async () => {
        const r = await db.query("select status_seq from alerts.integrations where id = $1", [lab.id]);
        return Number(r.rows[0]?.status_seq ?? -1) >= lab.seq ? true : null;
      },
      { what: `status of ${lab.name} applied` },
    );
  }

  async function deliveriesDone() {
    await waitFor(
      async () => {
        const r = await db.query(
          "select key, state, attempts, last_error, enqueued_at, next_attempt_at from alerts.deliveries where state in ('pending', 'sending')",
        );
        if (r.rows.length > 0) throw new Error(JSON.stringify(r.rows));
        return true;
      },
      { what: "deliveries finished" },
    );
  }

  it("validates, is admin-only and audited, tenant-isolated, and lists DST-correct upcoming occurrences", async () => {
    const body = {
      name: "Sunday patching",
      start: "2026-03-15T01:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 180,
      rrule: "FREQ=WEEKLY;BYDAY=SU",
      scope: { scope: "tenant" },
    };
    const viewer = await svc.request("POST", `${API}/maintenance`, { token: token(TENANT, "viewer"), body });
    expect(viewer.status).toBe(403);
    for (const [patch, field] of [
      [{ timeZone: "Europe/Atlantis" }, "timeZone"],
      [{ rrule: "FREQ=SECONDLY" }, "rrule"],
      [{ rrule: "FREQ=WEEKLY;NOPE=1" }, "rrule"],
      [{ start: "2026-03-15 01:00" }, "start"],
      [{ durationMinutes: 0 }, "durationMinutes"],
      [{ scope: { scope: "types", types: [] } }, "scope.types"],
    ] as const) {
      const bad = await svc.request("POST", `${API}/maintenance`, {
        token: admin,
        body: { ...body, ...patch },
      });
      expect(bad.status, field).toBe(400);
      expect(bad.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const saved = simNow;
    simNow = Date.parse("2026-03-20T12:00:00Z");
    const created = await svc.request("POST", `${API}/maintenance`, { token: admin, body });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.upcoming.slice(0, 3).map((o: { startsAt: string }) => o.startsAt)).toEqual([
      "2026-03-22T00:00:00.000Z",
      "2026-03-29T00:00:00.000Z", // 01:00 CET: the clocks change at 02:00 that night
      "2026-04-04T23:00:00.000Z", // 01:00 CEST
    ]);
    simNow = Date.parse("2026-03-29T02:30:00Z");
    const during = await svc.request("GET", `${API}/maintenance/${created.body.id}`, {
      token: token(TENANT, "viewer"),
    });
    expect(during.body.current).toEqual({
      startsAt: "2026-03-29T00:00:00.000Z",
      endsAt: "2026-03-29T03:00:00.000Z",
    });
    simNow = saved;
    const other = await svc.request("GET", `${API}/maintenance/${created.body.id}`, {
      token: token("someone-else"),
    });
    expect(other.status).toBe(404);
    const patched = await svc.request("PATCH", `${API}/maintenance/${created.body.id}`, {
      token: admin,
      body: { rrule: "FREQ=WEEKLY;BYDAY=SA" },
    });
    expect(patched.status).toBe(200);
    const removed = await svc.request("DELETE", `${API}/maintenance/${created.body.id}`, { token: admin });
    expect(removed.status).toBe(200);
    const audit = await db.query(
      "select action, actor from alerts.audit_log where entity_type = 'maintenance' and entity_id = $1 order by id",
      [created.body.id],
    );
    expect(audit.rows).toEqual([
      { action: "create", actor: `admin@${TENANT}` },
      { action: "update", actor: `admin@${TENANT}` },
      { action: "delete", actor: `admin@${TENANT}` },
    ]);
  });

  it("an outage in a window pages nobody; at its end one notice if still failing, none if it recovered", async () => {
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Ops hook", type: "WEBHOOK", config: { url: `${hook.url}/hooks/hip` } },
    });
    expect(ch.status).toBe(201);
    await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "All", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    const win = await svc.request("POST", `${API}/maintenance`, {
      token: admin,
      body: {
        name: "Lab upgrade",
        start: "2026-06-01T12:00",
        timeZone: "Europe/Berlin",
        durationMinutes: 60,
        scope: { scope: "types", types: ["LAB_SYSTEM"] },
      },
    });
    expect(win.status, win.raw).toBe(201);
    const stillDown = new FakeIntegration(TENANT, "LIS still down", "LAB_SYSTEM");
    const recovers = new FakeIntegration(TENANT, "LIS recovers", "LAB_SYSTEM");
    const outside = new FakeIntegration(TENANT, "Billing API", "API");
    await kafka.publish(svc.topics.config, [stillDown.created(), recovers.created(), outside.created()]);

    simNow = Date.parse("2026-06-01T10:10:00Z");
    await kafka.publish(svc.topics.status, [
      at(stillDown.statusChanged("ERROR")),
      at(recovers.statusChanged("ERROR")),
      at(outside.statusChanged("ERROR")),
    ]);
    for (const l of [stillDown, recovers, outside]) await applied(l);
    simNow = Date.parse("2026-06-01T10:30:00Z");
    await kafka.publish(svc.topics.status, [at(recovers.statusChanged("ACTIVE"))]);
    await applied(recovers);
    simNow = Date.parse("2026-06-01T10:59:00Z");
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    const incidentOf = async (l: FakeIntegration) =>
      (await svc.request("GET", `${API}/incidents?integrationId=${l.id}`, { token: admin })).body.data[0];
    const held = await incidentOf(stillDown);
    expect(held.maintenance).toMatchObject({
      windowName: "Lab upgrade",
      endsAt: "2026-06-01T11:00:00.000Z",
      endedAt: null,
    });
    expect(keys()).toEqual([`${(await incidentOf(outside)).id}:opened`]);

    simNow = Date.parse("2026-06-01T11:00:00Z");
    expect(await svc.runtime.timers?.fireDue()).toBe(1);
    await deliveriesDone();
    simNow = Date.parse("2026-06-01T12:00:00Z");
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    expect(keys().sort()).toEqual([`${(await incidentOf(outside)).id}:opened`, `${held.id}:opened`].sort());
    const after = await svc.request("GET", `${API}/incidents/${held.id}`, { token: admin });
    expect(after.body.maintenance.endedAt).toBe("2026-06-01T11:00:00.000Z");
    expect(after.body.timeline.map((e: { kind: string }) => e.kind)).toContain("maintenance_ended");
    // The occurrence was announced once, when it started (first timer pass after 10:00Z), for the stats service.
    const occurrences = await waitFor(() => {
      const found = kafka.incidents.filter((e) => e.event.type === "maintenance.occurrence");
      return found.length > 0 ? found : null;
    });
    expect(occurrences.map((o) => [o.key, o.event.data])).toEqual([
      [
        win.body.id,
        {
          window: { id: win.body.id, name: "Lab upgrade", scope: { scope: "types", types: ["LAB_SYSTEM"] } },
          startsAt: "2026-06-01T10:00:00.000Z",
          endsAt: "2026-06-01T11:00:00.000Z",
        },
      ],
    ]);
    const recovered = await incidentOf(recovers);
    expect(recovered).toMatchObject({ state: "resolved", maintenance: { windowName: "Lab upgrade" } });
  });
});
