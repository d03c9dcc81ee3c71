import { EVENT_SOURCES, type IntegrationProbeCompleted, type StatusEvent } from "@hip/contracts";
import { eq, sql } from "drizzle-orm";
import { type Tx, withSystem } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import { TEST_DONE_CHANNEL } from "../connection-tests/request-connection-test.ts";
import type { DomainDeps } from "../context.ts";
import { type ApplyOutcome, stepProbe, writeProbeStep } from "./apply-probe-result.ts";

/**
 * Probe results per transaction: large enough that the commit and the few set-based statements are shared by
 * hundreds of events, small enough that the locks of one transaction stay short and its parameters small.
 */
export const PROBE_BATCH_TX_EVENTS = 500;

export type BatchOutcome = ApplyOutcome | "ignored";

/** What the status consumer applies: probe results, not this service's own status_changed on the same topic. */
export function isProbeToApply(
  event: StatusEvent,
  staleBefore = Number.NEGATIVE_INFINITY,
): event is IntegrationProbeCompleted {
  return (
    event.type === "integration.probe_completed" &&
    event.source !== EVENT_SOURCES.configService &&
    // A result checked before the dedupe window (processed_events retention) could have been applied and its id
    // purged since: it is not applied again (stale anyway), so exactly-once needs the ids only that long.
    Date.parse(event.data.checkedAt) >= staleBefore
  );
}

/**
 * Applies a fetched batch of status events in order, `PROBE_BATCH_TX_EVENTS` probe results per transaction, with
 * the same effect as applyProbeResult() on each one in turn: exactly once per event id (a redelivered batch
 * applies nothing twice), several results of one integration stepped in event order, one `status_changed` per
 * transition. Returns one outcome per event (`ignored`: not a probe result to apply).
 */
export async function applyProbeBatch(
  deps: Pick<DomainDeps, "db" | "topics"> & { staleBefore?: number },
  events: StatusEvent[],
  /** Per event (same index): the trace context its status change carries; defaults to the event's own. */
  traceparents: ReadonlyArray<string | undefined> = [],
): Promise<BatchOutcome[]> {
  const out: BatchOutcome[] = events.map(() => "ignored");
  const todo: number[] = [];
  const seen = new Set<string>();
  for (const [i, event] of events.entries()) {
    if (!isProbeToApply(event, deps.staleBefore)) continue;
    const id = event.id.toLowerCase();
    // The same id twice in one batch (a producer retry): the first is applied, the repeat is a duplicate.
    if (seen.has(id)) out[i] = "duplicate";
    else {
      seen.add(id);
      todo.push(i);
    }
  }
  for (let k = 0; k < todo.length; k += PROBE_BATCH_TX_EVENTS) {
    const idx = todo.slice(k, k + PROBE_BATCH_TX_EVENTS);
    const chunk = idx.map((i) => ({
      event: events[i] as IntegrationProbeCompleted,
      traceparent: traceparents[i] ?? events[i]?.traceparent,
    }));
    const outcomes = await withSystem(deps.db, (tx) => applyChunk(tx, deps.topics, chunk));
    for (const [j, i] of idx.entries()) out[i] = outcomes[j] ?? "applied";
  }
  return out;
}

/** The columns a probe result's step reads (identity, status rule) and writes (ProbeState). */
const STEP_COLUMNS = {
  id: integrations.id,
  tenantId: integrations.tenantId,
  status: integrations.status,
  consecutiveFailures: integrations.consecutiveFailures,
  consecutiveSuccesses: integrations.consecutiveSuccesses,
  recentResults: integrations.recentResults,
  lastError: integrations.lastError,
  lastSyncedAt: integrations.lastSyncedAt,
  failureThreshold: integrations.failureThreshold,
  recoveryThreshold: integrations.recoveryThreshold,
  failureWindow: integrations.failureWindow,
};
type StepRow = Pick<IntegrationRow, keyof typeof STEP_COLUMNS>;

interface Item {
  event: IntegrationProbeCompleted;
  traceparent: string | undefined;
}

/** One transaction: distinct event ids in, one outcome per item out. */
async function applyChunk(tx: Tx, topics: DomainDeps["topics"], items: Item[]): Promise<ApplyOutcome[]> {
  // 1. Exactly once: the ids inserted now are the fresh ones; the rest were applied by an earlier delivery.
  const inserted = await tx.execute<{ event_id: string }>(
    sql`insert into config.processed_events (event_id)
        select unnest(${sql.param(items.map((i) => i.event.id))}::uuid[])
        on conflict do nothing returning event_id`,
  );
  const freshIds = new Set(inserted.rows.map((r) => r.event_id));
  const outcomes: ApplyOutcome[] = items.map((i) =>
    freshIds.has(i.event.id.toLowerCase()) ? "applied" : "duplicate",
  );
  const fresh = items.filter((_, j) => outcomes[j] === "applied");
  if (fresh.length === 0) return outcomes;

  // 2. Lock every integration concerned, in id order: two replicas' batches never wait on each other in a cycle.
  //    Only the columns the status rule reads and writes: the full row (jsonb config, encrypted secrets, ~45
  //    columns to parse) is read for the rare transition only.
  const ids = [...new Set(fresh.map((i) => i.event.data.integrationId.toLowerCase()))];
  const locked = await tx
    .select(STEP_COLUMNS)
    .from(integrations)
    .where(sql`${integrations.id} = any(${sql.param(ids)}::uuid[])`)
    .orderBy(integrations.id)
    .for("update");

  // 3. Connection tests: the first result of each pending test records it and wakes the waiting request.
  await completeTests(tx, fresh);

  // 4. Step each integration through its results in event order (in memory); a transition is written at once
  //    through appendChange (row, status_changed, audit, event sequence), the rest in one statement at the end.
  const rows = new Map<string, StepRow>(locked.map((r) => [r.id, r]));
  const pending = new Set<string>();
  const now = new Date();
  for (const [j, item] of items.entries()) {
    if (outcomes[j] !== "applied") continue;
    const { event } = item;
    const id = event.data.integrationId.toLowerCase();
    const row = rows.get(id);
    if (!row || row.tenantId !== event.tenantid) {
      outcomes[j] = "unknown_integration";
      continue;
    }
    const step = stepProbe(row, event.data);
    if (step.changed) {
      // Locked above; the counters of this batch's earlier results for it are in `row`, not yet written.
      const [full] = await tx.select().from(integrations).where(eq(integrations.id, id));
      if (!full) throw new Error(`locked integration ${id} vanished`);
      const written = await writeProbeStep(tx, {
        topics,
        before: { ...full, ...row },
        step,
        event,
        traceparent: item.traceparent,
        now,
      });
      rows.set(id, written);
      pending.delete(id);
    } else {
      rows.set(id, { ...row, ...step.next });
      pending.add(id);
    }
  }
  await writeCounters(
    tx,
    [...pending].map((id) => rows.get(id) as StepRow),
  );
  return outcomes;
}

/**
 * Records test results (PENDING tests only, the first result per test and tenant in event order, as one-by-one
 * application would) and NOTIFYs each completed test id, in one statement.
 */
async function completeTests(tx: Tx, fresh: Item[]): Promise<void> {
  const firsts = new Map<string, IntegrationProbeCompleted>();
  for (const { event } of fresh) {
    const testId = event.data.testId;
    if (!testId) continue;
    const key = `${testId.toLowerCase()} ${event.tenantid}`;
    if (!firsts.has(key)) firsts.set(key, event);
  }
  if (firsts.size === 0) return;
  const tests = [...firsts.values()];
  await tx.execute(
    sql`with v as (
          select * from unnest(
            ${sql.param(tests.map((e) => e.data.testId))}::uuid[],
            ${sql.param(tests.map((e) => e.tenantid))}::text[],
            ${sql.param(tests.map((e) => (e.data.success ? "SUCCEEDED" : "FAILED")))}::text[],
            ${sql.param(tests.map((e) => e.data.checkedAt))}::timestamptz[],
            ${sql.param(tests.map((e) => JSON.stringify(e.data)))}::jsonb[]
          ) as v(id, tenant_id, status, completed_at, result)
        ), done as (
          update config.connection_tests ct
          set status = v.status, completed_at = v.completed_at, result = v.result
          from v
          where ct.id = v.id and ct.tenant_id = v.tenant_id and ct.status = 'PENDING'
          returning ct.id
        )
        select pg_notify(${TEST_DONE_CHANNEL}, done.id::text) from done`,
  );
}

/** The counters, window, last error and last sync of rows whose status did not change since they were written. */
async function writeCounters(tx: Tx, rows: StepRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(
    sql`update config.integrations i
        set consecutive_failures = v.cf, consecutive_successes = v.cs, recent_results = v.rr,
            last_error = v.le, last_synced_at = v.ls
        from unnest(
          ${sql.param(rows.map((r) => r.id))}::uuid[],
          ${sql.param(rows.map((r) => r.consecutiveFailures))}::int[],
          ${sql.param(rows.map((r) => r.consecutiveSuccesses))}::int[],
          ${sql.param(rows.map((r) => r.recentResults))}::text[],
          ${sql.param(rows.map((r) => r.lastError))}::text[],
          ${sql.param(rows.map((r) => r.lastSyncedAt?.toISOString() ?? null))}::timestamptz[]
        ) as v(id, cf, cs, rr, le, ls)
        where i.id = v.id`,
  );
}
