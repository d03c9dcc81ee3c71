import { randomUUID } from "node:crypto";
import {
  type ConnectionTestView,
  EVENT_SOURCES,
  type IntegrationView,
  type StatusEvent,
} from "@hip/contracts";
import { ProcessedEventsPurger, purgeProcessedEventsBatch, type SystemTx } from "@hip/outbox";
import { waitFor } from "@hip/testkit";
import { eq } from "drizzle-orm";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type IntegrationRow, integrations } from "../src/db/schema.ts";
import { TEST_DONE_CHANNEL } from "../src/domain/connection-tests/request-connection-test.ts";
import { applyProbeBatch } from "../src/domain/status/apply-probe-batch.ts";
import { applyProbeResult } from "../src/domain/status/apply-probe-result.ts";
import { withSystem } from "../src/db/client.ts";
import { isDataError } from "../src/domain/status/data-error.ts";
import { probeCompleted } from "./kafka-support.ts";
import { API, labBody, startService, type TestService, token } from "./support.ts";

// The batch path of the status consumer, against a real Postgres: the same effect as applying each probe result
// on its own, exactly once per event id. (The consumer over Kafka: status-batch-consumer.int.test.ts.)

let svc: TestService;
const tenant = "batch-a";
const other = "batch-b";

beforeAll(async () => {
  svc = await startService({ STATUS_CONSUMER_ENABLED: "false" });
});
afterAll(async () => {
  await svc?.close();
});

const deps = () => svc.runtime.deps;
const sql = (text: string, values: unknown[] = []) => svc.runtime.deps.pool.query(text, values);

async function create(over: Record<string, unknown> = {}, t = tenant): Promise<string> {
  const res = await svc.request("POST", `${API}/configs`, { token: token(t), body: labBody(over) });
  expect(res.status, res.raw).toBe(201);
  return (res.body as IntegrationView).id;
}

async function row(id: string): Promise<IntegrationRow> {
  const [r] = await deps().db.select().from(integrations).where(eq(integrations.id, id));
  if (!r) throw new Error(`no row ${id}`);
  return r;
}

interface Outboxed {
  sequence: number;
  payload: { id: string; time: string; data: Record<string, unknown> };
}
async function statusChanges(id: string): Promise<Outboxed[]> {
  const r = await sql(
    `select sequence, payload from config.outbox
     where integration_id = $1 and event_type = 'integration.status_changed' order by sequence`,
    [id],
  );
  return r.rows.map((x) => ({ sequence: Number(x.sequence), payload: x.payload }));
}
async function auditCount(id: string): Promise<number> {
  const r = await sql(
    "select count(*)::int n from config.audit_log where entity_id = $1 and action = 'status_change'",
    [id],
  );
  return r.rows[0].n;
}

/** A probe result at a given second (distinct check times, so event times can be told apart). */
let clock = Date.parse("2026-06-01T10:00:00.000Z");
function probe(integrationId: string, success: boolean, over: { tenantId?: string; testId?: string } = {}) {
  clock += 1000;
  return probeCompleted({
    integrationId,
    tenantId: over.tenantId ?? tenant,
    success,
    message: `failure at ${clock}`,
    checkedAt: new Date(clock).toISOString(),
    ...(over.testId ? { testId: over.testId } : {}),
  });
}

describe("applyProbeBatch", () => {
  it("leaves exactly what applying the same results one by one leaves (rows, status_changed, audit)", async () => {
    const rules = { failureThreshold: 2, recoveryThreshold: 2, failureWindow: { failures: 3, of: 5 } };
    const single = await create(rules);
    const batched = await create(rules);
    // ok fail ok fail fail (ERROR) fail ok fail ok ok (ACTIVE) fail ok fail ok fail (3 of 5: ERROR) ok ok (ACTIVE)
    const outcomes = "01011101001010100".split("").map((c) => c === "0");
    const one = outcomes.map((ok) => probe(single, ok));
    const many = one.map((e) => ({
      ...e,
      id: randomUUID(),
      subject: batched,
      data: { ...e.data, integrationId: batched },
    }));
    for (const e of one) expect(await applyProbeResult(deps(), e)).toBe("applied");
    expect(await applyProbeBatch(deps(), many)).toEqual(many.map(() => "applied"));

    const [a, b] = [await row(single), await row(batched)];
    const fields = (r: IntegrationRow) => ({
      status: r.status,
      consecutiveFailures: r.consecutiveFailures,
      consecutiveSuccesses: r.consecutiveSuccesses,
      recentResults: r.recentResults,
      lastError: r.lastError,
      lastSyncedAt: r.lastSyncedAt,
      eventSeq: r.eventSeq,
      version: r.version,
      updatedBy: r.updatedBy,
    });
    expect(fields(b)).toEqual(fields(a));
    const [ca, cb] = [await statusChanges(single), await statusChanges(batched)];
    expect(ca.length).toBeGreaterThanOrEqual(3);
    const shape = (c: Outboxed[], events: StatusEvent[]) =>
      c.map((x) => ({
        sequence: x.sequence,
        time: x.payload.time,
        cause: events.findIndex((e) => e.id === x.payload.data.causationId),
        data: { ...x.payload.data, integrationId: null, causationId: null },
      }));
    expect(shape(cb, many)).toEqual(shape(ca, one));
    expect(await auditCount(batched)).toBe(ca.length);
  });

  it("skips ids applied before and repeats inside the batch; a redelivered batch applies nothing", async () => {
    const id = await create({ failureThreshold: 10 });
    const first = probe(id, false);
    expect(await applyProbeResult(deps(), first)).toBe("applied");
    const second = probe(id, false);
    const third = probe(id, true);
    const batch = [first, second, second, third];
    expect(await applyProbeBatch(deps(), batch)).toEqual(["duplicate", "applied", "duplicate", "applied"]);
    const after = await row(id);
    expect(after).toMatchObject({ consecutiveFailures: 0, consecutiveSuccesses: 1, recentResults: "110" });
    expect(after.lastSyncedAt?.toISOString()).toBe(third.data.checkedAt);

    expect(await applyProbeBatch(deps(), batch)).toEqual(batch.map(() => "duplicate"));
    expect(await row(id)).toEqual(after);
  });

  it("does not apply a result checked before the dedupe window (its id may have been purged)", async () => {
    const id = await create({ failureThreshold: 1 });
    const old = probe(id, false);
    const fresh = probe(id, true);
    const staleBefore = Date.parse(fresh.data.checkedAt);
    expect(await applyProbeBatch({ ...deps(), staleBefore }, [old, fresh])).toEqual(["ignored", "applied"]);
    expect(await row(id)).toMatchObject({ status: "ACTIVE", consecutiveFailures: 0, recentResults: "0" });
  });

  it("three failures in one batch with failureThreshold 3: ERROR, exactly one status_changed from the third", async () => {
    const id = await create({ failureThreshold: 3 });
    const seqBefore = (await row(id)).eventSeq;
    const batch = [probe(id, false), probe(id, false), probe(id, false), probe(id, false)];
    await applyProbeBatch(deps(), batch);
    const after = await row(id);
    // The fourth failure is counted after the change (the window restarted at it).
    expect(after).toMatchObject({ status: "ERROR", consecutiveFailures: 4, recentResults: "1" });
    expect(after.lastError).toBe(batch[3]?.data.error?.message);
    expect(after.eventSeq).toBe(seqBefore + 1);
    const changes = await statusChanges(id);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({
      sequence: seqBefore + 1,
      payload: {
        time: batch[2]?.data.checkedAt,
        data: {
          from: "ACTIVE",
          to: "ERROR",
          reason: "probe_failures",
          consecutiveFailures: 3,
          causationId: batch[2]?.id,
          lastError: batch[2]?.data.error?.message,
        },
      },
    });
    expect(await auditCount(id)).toBe(1);
    // Redelivered: still one change.
    await applyProbeBatch(deps(), batch);
    expect(await statusChanges(id)).toHaveLength(1);
  });

  it("failure then recovery inside one batch: two status changes in sequence order, ACTIVE at the end", async () => {
    const id = await create({ failureThreshold: 1 });
    const seqBefore = (await row(id)).eventSeq;
    const fail = probe(id, false);
    const ok = probe(id, true);
    await applyProbeBatch(deps(), [fail, ok]);
    const changes = await statusChanges(id);
    expect(
      changes.map((c) => [c.sequence, c.payload.data.from, c.payload.data.to, c.payload.data.reason]),
    ).toEqual([
      [seqBefore + 1, "ACTIVE", "ERROR", "probe_failures"],
      [seqBefore + 2, "ERROR", "ACTIVE", "probe_recovered"],
    ]);
    expect(changes.map((c) => [c.payload.time, c.payload.data.causationId])).toEqual([
      [fail.data.checkedAt, fail.id],
      [ok.data.checkedAt, ok.id],
    ]);
    const after = await row(id);
    expect(after).toMatchObject({
      status: "ACTIVE",
      consecutiveFailures: 0,
      consecutiveSuccesses: 1,
      lastError: null,
      eventSeq: seqBefore + 2,
    });
    expect(after.lastSyncedAt?.toISOString()).toBe(ok.data.checkedAt);
    expect(await auditCount(id)).toBe(2);
  });

  it("records a connection test result in a batch and wakes the waiting request (NOTIFY)", async () => {
    const id = await create({ timeout: 10_000, retryAttempts: 0 });
    const listener = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await listener.connect();
    const notified: string[] = [];
    listener.on("notification", (n) => {
      if (n.channel === TEST_DONE_CHANNEL && n.payload) notified.push(n.payload);
    });
    await listener.query(`listen ${TEST_DONE_CHANNEL}`);
    try {
      // Waits up to 12 s for a result nobody else will deliver (no probe worker, no relay in this test).
      const answer = svc.request("POST", `${API}/configs/${id}/test`, { token: token(tenant) });
      const testId = await waitFor(async () => {
        const r = await sql(
          "select id from config.connection_tests where integration_id = $1 and status = 'PENDING'",
          [id],
        );
        return r.rows[0]?.id as string | undefined;
      });
      const bystander = await create();
      const result = probe(id, true, { testId });
      // A second result for the same test later in the batch: the first one counts, as one by one.
      const late = probe(id, false, { testId });
      await applyProbeBatch(deps(), [probe(bystander, false), result, late]);
      const res = await answer;
      expect(res.status, res.raw).toBe(200);
      expect(res.body as ConnectionTestView).toMatchObject({ id: testId, status: "SUCCEEDED" });
      expect((res.body as ConnectionTestView).result?.checkedAt).toBe(result.data.checkedAt);
      await waitFor(() => notified.includes(testId), { what: "NOTIFY of the test id" });
      expect(notified.filter((n) => n === testId)).toHaveLength(1);
      expect(await row(id)).toMatchObject({ consecutiveFailures: 1, consecutiveSuccesses: 0 });
    } finally {
      await listener.end();
    }
  });

  it("two tenants in one batch: each result applies to its own tenant's row; a foreign tenant's claim is unknown", async () => {
    const a = await create({ failureThreshold: 1 });
    const b = await create({ failureThreshold: 1 }, other);
    const batch = [
      probe(a, false),
      probe(b, false, { tenantId: other }),
      // Tenant b naming tenant a's integration: not applied to a.
      probe(a, true, { tenantId: other }),
      probe(b, true, { tenantId: other }),
    ];
    expect(await applyProbeBatch(deps(), batch)).toEqual([
      "applied",
      "applied",
      "unknown_integration",
      "applied",
    ]);
    expect(await row(a)).toMatchObject({ tenantId: tenant, status: "ERROR", consecutiveFailures: 1 });
    expect(await row(b)).toMatchObject({ tenantId: other, status: "ACTIVE", consecutiveSuccesses: 1 });
    const changes = await sql(
      `select tenant_id, integration_id, payload->>'tenantid' t from config.outbox
       where integration_id = any($1::uuid[]) and event_type = 'integration.status_changed'`,
      [[a, b]],
    );
    expect(changes.rows.filter((r) => r.integration_id === a).map((r) => [r.tenant_id, r.t])).toEqual([
      [tenant, tenant],
    ]);
    expect(changes.rows.filter((r) => r.integration_id === b).map((r) => [r.tenant_id, r.t])).toEqual([
      [other, other],
      [other, other],
    ]);
  });

  it("ignores status_changed and this service's own events; a probe for a missing integration is recorded", async () => {
    const missing = randomUUID();
    const e = probe(missing, false);
    const own: StatusEvent = { ...probe(missing, false), source: EVENT_SOURCES.configService };
    expect(await applyProbeBatch(deps(), [own, e])).toEqual(["ignored", "unknown_integration"]);
    expect(await applyProbeBatch(deps(), [e])).toEqual(["duplicate"]);
  });

  it("a value Postgres refuses fails the whole batch with a data error (the consumer's cue to go one by one)", async () => {
    const id = await create();
    const good = probe(id, false);
    const bad = probeCompleted({
      integrationId: id,
      tenantId: tenant,
      success: false,
      message: "nul \u0000 here",
    });
    const err = await applyProbeBatch(deps(), [good, bad]).catch((e: unknown) => e);
    expect(isDataError(err)).toBe(true);
    // Rolled back: the good one was not applied either.
    expect(await row(id)).toMatchObject({ consecutiveFailures: 0 });
    expect(await applyProbeResult(deps(), good)).toBe("applied");
    expect(isDataError(await applyProbeResult(deps(), bad).catch((e: unknown) => e))).toBe(true);
    expect(isDataError(new Error("connection terminated"))).toBe(false);
  });
});

describe("processed_events purge", () => {
  const system: SystemTx = (fn) => withSystem(deps().db, fn);
  it("removes only rows older than the retention, in batches, with replicas purging at once", async () => {
    const old = Array.from({ length: 7 }, () => randomUUID());
    const recent = Array.from({ length: 3 }, () => randomUUID());
    const now = Date.now();
    await sql(
      `insert into config.processed_events (event_id, processed_at)
       select unnest($1::uuid[]), $2::timestamptz union all select unnest($3::uuid[]), $4::timestamptz`,
      [old, new Date(now - 200 * 3_600_000), recent, new Date(now - 100 * 3_600_000)],
    );
    const before = Number((await sql("select count(*) n from config.processed_events")).rows[0].n);
    const purger = (batchRows: number) =>
      new ProcessedEventsPurger({
        table: "config.processed_events",
        withSystem: system,
        retentionHours: 168,
        logger: pino({ level: "silent" }),
        batchRows,
      });
    // Two replicas, batches of 2: together they delete the 7 old rows exactly once.
    const [x, y] = await Promise.all([purger(2).runOnce(), purger(2).runOnce()]);
    expect(x + y).toBe(7);
    const left = await sql("select event_id from config.processed_events where event_id = any($1::uuid[])", [
      [...old, ...recent],
    ]);
    expect(left.rows.map((r) => r.event_id).sort()).toEqual([...recent].sort());
    expect(Number((await sql("select count(*) n from config.processed_events")).rows[0].n)).toBe(before - 7);
    expect(
      await purgeProcessedEventsBatch(system, "config.processed_events", new Date(now - 168 * 3_600_000)),
    ).toBe(0);
  });
});
