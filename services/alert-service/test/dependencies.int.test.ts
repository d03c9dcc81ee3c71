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

const TENANT = "tdeps";
const admin = token(TENANT);

/**
 * Issue 12 acceptance, dependencies: a parent and 50 dependents failing together page once (opened) plus ONE
 * digest after the hold; when the parent resolves, the 3 dependents still failing after the grace get one page
 * each, the 47 that recovered nothing. Replays and timer passes repeat nothing. The clock is simulated; real
 * Postgres, Redis, Kafka and a real webhook receiver.
 */
describe("dependencies", () => {
  let svc: TestService;
  let kafka: Awaited<ReturnType<typeof kafkaFor>>;
  let hook: Receiver;
  let db: pg.Client;
  let database: TestService["database"] = null;
  let simNow = Date.parse("2026-06-01T10:00:00Z");
  const keys = () => hook.accepted.map((r) => String(r.headers["idempotency-key"])).sort();

  beforeAll(async () => {
    hook = await startReceiver();
    svc = await startAlertService({}, { clock: () => new Date(simNow) });
    database = svc.database;
    kafka = await kafkaFor(svc.topics);
    db = new pg.Client({ connectionString: svc.source.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await kafka?.close();
    await db?.end();
    await svc?.close({ keepDatabase: true });
    await database?.drop();
    await hook?.close();
  });

  const at = <T extends { time: string }>(e: T): T => ({ ...e, time: new Date(simNow).toISOString() });

  async function applied(list: FakeIntegration[], column: "status_seq" | "config_seq") {
    await waitFor(
      async () => {
        const r = await db.query(`select id, ${column} as seq from alerts.integrations where id = any($1)`, [
          list.map((l) => l.id),
        ]);
        const seqs = new Map(r.rows.map((row) => [row.id, Number(row.seq)]));
        return list.every((l) => (seqs.get(l.id) ?? -1) >= l.seq) ? true : null;
      },
      { what: `${column} of ${list.length} integrations applied` },
    );
  }

  async function deliveriesDone() {
    await waitFor(
      async () => {
        const r = await db.query("select key from alerts.deliveries where state in ('pending', 'sending')");
        return r.rows.length === 0 ? true : null;
      },
      { what: "deliveries finished" },
    );
  }

  const incidentOf = async (l: FakeIntegration) =>
    (await svc.request("GET", `${API}/incidents?integrationId=${l.id}`, { token: admin })).body.data[0];

  it("a parent and 50 dependents: 1 page + 1 digest; after the parent resolves, the 3 still failing: 3 pages", async () => {
    const ch = await svc.request("POST", `${API}/channels`, {
      token: admin,
      body: { name: "Ops hook", type: "WEBHOOK", config: { url: `${hook.url}/hooks/hip` } },
    });
    expect(ch.status).toBe(201);
    const pol = await svc.request("POST", `${API}/policies`, {
      token: admin,
      body: { name: "All", integrations: { scope: "all" }, channelIds: [ch.body.id] },
    });
    expect(pol.status, pol.raw).toBe(201);
    expect(pol.body.dependencyGraceMinutes).toBe(2);

    const vpn = new FakeIntegration(TENANT, "VPN tunnel", "API");
    const kids = Array.from({ length: 50 }, (_, i) => {
      const k = new FakeIntegration(TENANT, `Ward feed ${String(i).padStart(2, "0")}`, "HL7");
      k.dependsOn = [vpn.id];
      return k;
    });
    const all = [vpn, ...kids];
    await kafka.publish(
      svc.topics.config,
      all.map((l) => l.created()),
    );
    await applied(all, "config_seq");

    // All fail in the same instant; the consumer sees them in any order across partitions.
    const failing = all.map((l) => at(l.statusChanged("ERROR")));
    await kafka.publish(svc.topics.status, failing);
    await applied(all, "status_seq");
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    const parent = await incidentOf(vpn);
    expect(keys()).toEqual([`${parent.id}:opened`]);

    // The hold ends: ONE digest naming the 50.
    simNow += 30_000;
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    expect(keys()).toEqual([`${parent.id}:children`, `${parent.id}:opened`].sort());
    const digest = hook.accepted.find((r) => r.headers["idempotency-key"] === `${parent.id}:children`);
    expect(digest?.json.dependents.count).toBe(50);
    expect(
      digest?.json.dependents.children.map((c: { integrationName: string }) => c.integrationName),
    ).toEqual(kids.map((k) => k.name));
    const parentView = await svc.request("GET", `${API}/incidents/${parent.id}`, { token: admin });
    expect(parentView.body.childCount).toBe(50);
    expect(parentView.body.children).toHaveLength(50);
    const child0 = await incidentOf(kids[0] as FakeIntegration);
    expect(child0).toMatchObject({ state: "open", suppressedBy: parent.id, parentIncidentId: parent.id });

    // Replaying every failure and another timer pass change nothing.
    await kafka.publish(svc.topics.status, failing);
    simNow += 60_000;
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    expect(hook.accepted).toHaveLength(2);

    // The parent recovers; 47 dependents recover within the grace, 3 do not.
    simNow += 60_000;
    const stillDown = kids.slice(0, 3);
    const recovering = kids.slice(3);
    await kafka.publish(svc.topics.status, [at(vpn.statusChanged("ACTIVE"))]);
    await applied([vpn], "status_seq");
    simNow += 60_000;
    await kafka.publish(
      svc.topics.status,
      recovering.map((l) => at(l.statusChanged("ACTIVE"))),
    );
    await applied(recovering, "status_seq");
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    // Resolve notice of the parent (notifyOnResolve) only; no dependent was paged within the grace.
    expect(keys()).toEqual([`${parent.id}:children`, `${parent.id}:opened`, `${parent.id}:resolved`].sort());

    // A restart in the grace period: the due times are stored, nothing is lost or repeated.
    await svc.close({ keepDatabase: true });
    svc = await startAlertService(
      {
        DATABASE_URL: svc.source.DATABASE_URL as string,
        REDIS_PREFIX: svc.source.REDIS_PREFIX as string,
        KAFKA_TOPIC_PREFIX: svc.source.KAFKA_TOPIC_PREFIX as string,
      },
      { clock: () => new Date(simNow) },
    );

    simNow += 60_000; // 2 min after the parent resolved
    expect(await svc.runtime.timers?.fireDue()).toBe(3);
    await deliveriesDone();
    const stillIds = await Promise.all(stillDown.map(async (l) => (await incidentOf(l)).id));
    expect(keys()).toEqual(
      [
        `${parent.id}:children`,
        `${parent.id}:opened`,
        `${parent.id}:resolved`,
        ...stillIds.map((id: string) => `${id}:opened`),
      ].sort(),
    );
    const released = await incidentOf(stillDown[0] as FakeIntegration);
    expect(released).toMatchObject({ state: "open", suppressedBy: null, parentIncidentId: parent.id });

    // Later passes and a replay of the recovery repeat nothing.
    simNow += 10 * 60_000;
    await kafka.publish(svc.topics.status, [at({ ...failing[0], id: failing[0]?.id } as never)]);
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    expect(hook.accepted).toHaveLength(6);
  });

  it("a dependent failing alone waits the hold, then is paged once; a replayed failure repeats nothing", async () => {
    const engine = new FakeIntegration(TENANT, "Interface engine", "API");
    const feed = new FakeIntegration(TENANT, "Pharmacy feed", "HL7");
    feed.dependsOn = [engine.id];
    await kafka.publish(svc.topics.config, [engine.created(), feed.created()]);
    await applied([engine, feed], "config_seq");
    const before = hook.accepted.length;
    const failed = at(feed.statusChanged("ERROR"));
    await kafka.publish(svc.topics.status, [failed]);
    await applied([feed], "status_seq");
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    const held = await incidentOf(feed);
    expect(held).toMatchObject({ state: "open", suppressedBy: null, parentIncidentId: null });
    expect(hook.accepted.length).toBe(before);
    simNow += 30_000;
    expect(await svc.runtime.timers?.fireDue()).toBe(1);
    await kafka.publish(svc.topics.status, [failed]);
    simNow += 60_000;
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    expect(hook.accepted.slice(before).map((r) => r.headers["idempotency-key"])).toEqual([
      `${held.id}:opened`,
    ]);
  });

  it("a dependent flapping under its failing parent pages nobody", async () => {
    const net = new FakeIntegration(TENANT, "Hospital network", "API");
    const pacs = new FakeIntegration(TENANT, "PACS gateway", "IMAGING_SYSTEM");
    pacs.dependsOn = [net.id];
    await kafka.publish(svc.topics.config, [net.created(), pacs.created()]);
    await applied([net, pacs], "config_seq");
    await kafka.publish(svc.topics.status, [at(net.statusChanged("ERROR"))]);
    await applied([net], "status_seq");
    await deliveriesDone();
    const before = hook.accepted.length;
    // 8 changes in 8 simulated minutes: more than the policy's 4 in 30.
    for (let k = 0; k < 8; k++) {
      simNow += 60_000;
      await kafka.publish(svc.topics.status, [at(pacs.statusChanged(k % 2 === 0 ? "ERROR" : "ACTIVE"))]);
      await applied([pacs], "status_seq");
    }
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    const flapped = await db.query(
      "select count(*)::int as n from alerts.incidents where integration_id = $1 and flapping is not null",
      [pacs.id],
    );
    expect(flapped.rows[0].n).toBe(0);
    // The network's own digest names PACS; nothing was sent about PACS itself.
    const sent = hook.accepted.slice(before).map((r) => [r.json.integration.id, r.json.transition]);
    expect(sent).toEqual([[net.id, "children"]]);
  });

  it("a deleted parent releases its dependents: one still failing after the grace gets its page", async () => {
    const tunnel = new FakeIntegration(TENANT, "Old tunnel", "API");
    const ris = new FakeIntegration(TENANT, "RIS", "IMAGING_SYSTEM");
    ris.dependsOn = [tunnel.id];
    await kafka.publish(svc.topics.config, [tunnel.created(), ris.created()]);
    await applied([tunnel, ris], "config_seq");
    await kafka.publish(svc.topics.status, [
      at(tunnel.statusChanged("ERROR")),
      at(ris.statusChanged("ERROR")),
    ]);
    await applied([tunnel, ris], "status_seq");
    const child = await incidentOf(ris);
    await deliveriesDone();
    const before = hook.accepted.length;
    await kafka.publish(svc.topics.config, [at(tunnel.deleted())]);
    await waitFor(async () => ((await incidentOf(tunnel)).state === "resolved" ? true : null), {
      what: "parent resolved as deleted",
    });
    simNow += 2 * 60_000;
    await svc.runtime.timers?.fireDue();
    await deliveriesDone();
    const sent = hook.accepted.slice(before).map((r) => String(r.headers["idempotency-key"]));
    expect(sent.filter((k) => k.startsWith(child.id))).toEqual([`${child.id}:opened`]);
  });
});
