import { randomUUID } from "node:crypto";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusChange } from "../src/changes.ts";
import { StatusClient, type StatusClientOptions } from "../src/client.ts";
import { IntegrationUnavailableError, IntegrationUnknownError, StatusClientError } from "../src/errors.ts";
import { events, spec } from "../src/testing.ts";
import { logger, type Platform, startPlatform, token } from "./support.ts";

/**
 * Against the real broker and a real stats-service process: snapshot bootstrap, sequence-gated following, tenant
 * scope, guard with trial calls, restart without a gap.
 */
describe("StatusClient", () => {
  let p: Platform;
  const clients: StatusClient[] = [];
  const a1 = spec("sc-a", "LIS");
  const a2 = spec("sc-a", "Pharmacy", { type: "PHARMACY_SYSTEM" });
  const b1 = spec("sc-b", "Other tenant's LIS");
  const a2Incident = randomUUID();
  const viewerA = token({ tenantId: "sc-a", roles: ["viewer"] });
  const service = token({ sub: "lab-orders", roles: ["service"] });

  const client = (over: Partial<StatusClientOptions> = {}) => {
    const c = new StatusClient({
      name: "test",
      statsUrl: p.stats.url,
      token: viewerA,
      scope: { tenantId: "sc-a" },
      brokers: p.brokers,
      topicPrefix: p.prefix,
      logger,
      lagIntervalMs: 0,
      ...over,
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    p = await startPlatform();
    await p.publish([
      events.created(a1, 1),
      events.created(a2, 1),
      events.created(b1, 1),
      events.statusChanged(a2, 2, "ACTIVE", "ERROR"),
      events.incident(a2, 1, a2Incident, "open"),
      events.probe(a1, 1000, true),
    ]);
    await p.snapshotCaughtUp();
  });

  afterAll(async () => {
    for (const c of clients) await c.stop();
    await p?.close();
  });

  it("bootstraps from the snapshot, scoped to its tenant, and starts at the snapshot's offsets", async () => {
    const c = client();
    await c.start();
    expect(c.bootstrap?.snapshotItems).toBe(2);
    for (const [topic, parts] of Object.entries(c.bootstrap?.startOffsets ?? {})) {
      const ends = await p.bus.topicOffsets(topic);
      expect(parts).toEqual(ends.map((e) => ({ partition: e.partition, offset: e.offset })));
    }
    expect(c.get(a1.id)).toMatchObject({ name: "LIS", status: "ACTIVE", available: true, incident: null });
    expect(c.get(a2.id)).toMatchObject({
      status: "ERROR",
      available: false,
      incident: { id: a2Incident, state: "open" },
    });
    expect(c.isAvailable(a1.id)).toBe(true);
    expect(c.isAvailable(a2.id)).toBe(false);
    expect(c.get(b1.id)).toBeUndefined();
    expect(c.isAvailable(b1.id)).toBe(false);
    expect(
      c
        .list()
        .map((h) => h.integrationId)
        .sort(),
    ).toEqual([a1.id, a2.id].sort());
    expect(await c.measureLag()).toBe(0);
    await c.stop();
  });

  it("follows changes by sequence: duplicates, older events and other tenants' events change nothing", async () => {
    const c = client();
    await c.start();
    const seen: StatusChange[] = [];
    c.on("change", (ch) => seen.push(ch));
    const iter = c.changes();
    const b2 = spec("sc-b", "B pharmacy");
    const down = events.statusChanged(a1, 2, "ACTIVE", "ERROR");
    await p.publish([
      down,
      down, // redelivered
      events.statusChanged(a1, 1, "TESTING", "ACTIVE"), // older
      events.created(b2, 1),
      events.statusChanged(b1, 2, "ACTIVE", "ERROR"),
    ]);
    const first = await iter.next();
    expect(first.value).toMatchObject({
      integrationId: a1.id,
      availabilityChanged: true,
      before: { status: "ACTIVE", available: true },
      after: { status: "ERROR", available: false, sequence: 2 },
      event: { id: down.id, type: "integration.status_changed" },
    });
    // A marker after everything above: once it is applied, all earlier events were too.
    const a3 = spec("sc-a", "Marker");
    await p.publish([events.created(a3, 1)]);
    await waitFor(() => c.get(a3.id), { what: "marker" });
    expect(seen.map((s) => s.integrationId)).toEqual([a1.id, a3.id]);
    expect(c.get(a1.id)).toMatchObject({ status: "ERROR", sequence: 2 });
    expect(c.get(b2.id)).toBeUndefined();
    expect(c.staleness().lastEventAt).toBeInstanceOf(Date);
    expect(c.staleness().lastEventTime).not.toBeNull();
    await iter.return?.();
    await c.stop();
    // Put a1 back for the next tests.
    await p.publish([events.statusChanged(a1, 3, "ERROR", "ACTIVE")]);
  });

  it("guard fails fast with a typed error while ERROR or an incident is open, and lets trials through", async () => {
    const c = client({ trialIntervalMs: 60_000 });
    await c.start();
    let calls = 0;
    const call = async () => {
      calls++;
      return "sent";
    };
    expect(await c.guard(a1.id, call)).toBe("sent");
    await expect(c.guard(a2.id, call)).rejects.toBeInstanceOf(IntegrationUnavailableError);
    await expect(c.guard(a2.id, call)).rejects.toMatchObject({
      code: "INTEGRATION_UNAVAILABLE",
      reason: "error_status",
      integrationId: a2.id,
    });
    await expect(c.guard(b1.id, call)).rejects.toBeInstanceOf(IntegrationUnknownError);
    expect(calls).toBe(1);

    // Status recovers but the incident is still open: still refused.
    await p.publish([events.statusChanged(a2, 3, "ERROR", "ACTIVE")]);
    await waitFor(() => c.get(a2.id)?.status === "ACTIVE", { what: "a2 ACTIVE" });
    await expect(c.guard(a2.id, call)).rejects.toMatchObject({ reason: "open_incident" });
    expect(calls).toBe(1);

    // Half-open: one trial at a time; the concurrent call fails fast; a success lets calls through.
    let release: () => void = () => undefined;
    const slow = () =>
      new Promise<string>((resolve) => {
        calls++;
        release = () => resolve("trial ok");
      });
    const trial = c.guard(a2.id, slow, { trial: true });
    await expect(c.guard(a2.id, call, { trial: true })).rejects.toBeInstanceOf(IntegrationUnavailableError);
    release();
    expect(await trial).toBe("trial ok");
    expect(await c.guard(a2.id, call)).toBe("sent");
    // A failing call while passing closes it again; the next trial waits its interval.
    await expect(
      c.guard(a2.id, async () => {
        throw new Error("LIS refused");
      }),
    ).rejects.toThrow("LIS refused");
    await expect(c.guard(a2.id, call, { trial: true })).rejects.toBeInstanceOf(IntegrationUnavailableError);
    expect(calls).toBe(3);

    // The incident resolves: available again, no trial needed.
    await p.publish([events.incident(a2, 2, a2Incident, "resolved")]);
    await waitFor(() => c.isAvailable(a2.id), { what: "a2 available" });
    expect(await c.guard(a2.id, call)).toBe("sent");
    await c.stop();
  });

  it("leaves no gap between the snapshot and the stream (events published while it pages)", async () => {
    const gapped = spec("sc-a", "Created between pages");
    let pages = 0;
    const c = client({
      pageSize: 1,
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        pages++;
        // Published after this page was read and before the consumer starts: only the stream can carry it.
        if (pages === 1) {
          await p.publish([events.statusChanged(a1, 4, "ACTIVE", "ERROR"), events.created(gapped, 1)]);
        }
        return res;
      },
    });
    await c.start();
    expect(pages).toBeGreaterThan(1);
    expect(c.get(a1.id)).toMatchObject({ status: "ERROR", sequence: 4 });
    expect(c.get(gapped.id)).toMatchObject({ name: "Created between pages", status: "ACTIVE" });
    await c.stop();
  });

  it("retries a rate-limited or unavailable snapshot page, honouring Retry-After", async () => {
    const answers = [429, 503];
    let calls = 0;
    const c = client({
      fetch: async (url, init) => {
        calls++;
        const status = answers.shift();
        if (status) return new Response("{}", { status, headers: { "retry-after": "0" } });
        return fetch(url, init);
      },
    });
    await c.start();
    expect(calls).toBe(3);
    expect(c.get(a1.id)?.name).toBe("LIS");
    await c.stop();
  });

  it("restarts without a gap: same group, its commits ahead of a lagging snapshot, events published while down", async () => {
    // A snapshot taken now, served later: as if the stats-service lagged behind when the client restarted.
    const url = `${p.stats.url}/api/integration/stats/status-snapshot?limit=1000`;
    const stale = await (await fetch(url, { headers: { authorization: `Bearer ${viewerA}` } })).text();
    const first = client({ instanceId: "pod-1" });
    await first.start();
    const b = spec("sc-a", "Billing");
    await p.publish([events.statusChanged(a1, 5, "ERROR", "ACTIVE"), events.created(b, 1)]);
    await waitFor(() => first.get(b.id), { what: "first client saw Billing" });
    const topics = [p.topics.config, p.topics.status, p.topics.incident];
    await waitFor(async () =>
      Object.values(await p.bus.groupLag(first.groupId, topics)).every((n) => n === 0),
    );
    await first.stop();
    const e = spec("sc-a", "Imaging");
    await p.publish([events.created(e, 1)]); // while no client runs

    // Same group: its committed offsets are past a1's recovery; the stale snapshot is not. Starting from the
    // commits would leave a1 ERROR and Billing unknown.
    const second = client({
      instanceId: "pod-1",
      fetch: async () =>
        new Response(stale, { status: 200, headers: { "content-type": "application/json" } }),
    });
    expect(second.groupId).toBe(first.groupId);
    await second.start();
    expect(second.get(a1.id)).toMatchObject({ status: "ACTIVE", sequence: 5 });
    expect(second.get(b.id)?.name).toBe("Billing");
    expect(second.get(e.id)?.name).toBe("Imaging");
    // From here the group's committed offsets follow what it applied.
    const d = spec("sc-a", "Deleted later");
    await p.publish([events.created(d, 1), events.deleted(d, 2)]);
    await waitFor(async () =>
      Object.values(await p.bus.groupLag(second.groupId, topics)).every((n) => n === 0),
    );
    expect(second.get(d.id)).toBeUndefined();
    expect(await second.measureLag()).toBe(0);
    await second.stop();
  });

  it("follows every tenant with a service token; refuses allTenants with a tenant token", async () => {
    const all = client({ token: service, scope: { allTenants: true } });
    await all.start();
    expect(all.get(b1.id)).toMatchObject({ tenantId: "sc-b", status: "ERROR" });
    expect(all.get(a1.id)?.tenantId).toBe("sc-a");
    await all.stop();
    const bound = client({ token: service, scope: { tenantId: "sc-b" } });
    await bound.start();
    expect(bound.get(b1.id)?.status).toBe("ERROR");
    expect(bound.get(a1.id)).toBeUndefined();
    await bound.stop();
    const wrong = client({ token: viewerA, scope: { allTenants: true } });
    await expect(wrong.start()).rejects.toMatchObject({ code: "BAD_OPTIONS" });
    const other = client({ token: viewerA, scope: { tenantId: "sc-b" } });
    await expect(other.start()).rejects.toBeInstanceOf(StatusClientError);
    await expect(other.start()).rejects.toMatchObject({ code: "SNAPSHOT_FAILED" });
  });
});
