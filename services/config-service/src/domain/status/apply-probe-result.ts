import type { IntegrationProbeCompleted, IntegrationStatus, ProbeResult, TopicNames } from "@hip/contracts";
import { and, eq, sql } from "drizzle-orm";
import { type Db, type Tx, withSystem } from "../../db/client.ts";
import { connectionTests, type IntegrationRow, integrations, processedEvents } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { appendChange } from "../integrations/append-change.ts";
import { updateRow } from "../integrations/shared.ts";
import { toAuditState } from "../integrations/view.ts";
import { TEST_DONE_CHANNEL } from "../connection-tests/request-connection-test.ts";
import { statusChanged } from "./status-changed.ts";

export type ApplyOutcome = "duplicate" | "unknown_integration" | "applied";

/** What the status rule looks at after one more check. */
export interface CheckCounts {
  success: boolean;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Outcomes since the last status change, oldest first, "1" = failed. */
  recentResults: string;
}

export interface StatusRules {
  failureThreshold: number;
  recoveryThreshold: number;
  failureWindow: { failures: number; of: number } | null;
}

/** How many of the last `of` outcomes in `recent` failed. */
export function failuresInWindow(recent: string, of: number): number {
  let n = 0;
  for (const c of recent.slice(-of)) if (c === "1") n++;
  return n;
}

/**
 * Status rule: ACTIVE -> ERROR after `failureThreshold` consecutive failures, or when `failureWindow.failures` of
 * the last `failureWindow.of` checks since the last status change failed; ERROR -> ACTIVE after
 * `recoveryThreshold` consecutive successes; INACTIVE (and anything else) unchanged.
 */
export function nextStatus(
  current: IntegrationStatus,
  c: CheckCounts,
  rules: StatusRules,
): IntegrationStatus {
  if (current === "ACTIVE" && !c.success) {
    if (c.consecutiveFailures >= rules.failureThreshold) return "ERROR";
    const w = rules.failureWindow;
    if (w && failuresInWindow(c.recentResults, w.of) >= w.failures) return "ERROR";
  }
  if (current === "ERROR" && c.success && c.consecutiveSuccesses >= rules.recoveryThreshold) return "ACTIVE";
  return current;
}

/** The counters after one more check; the window history keeps at most 100 outcomes. */
export function countCheck(
  row: Pick<IntegrationRow, "consecutiveFailures" | "consecutiveSuccesses" | "recentResults">,
  success: boolean,
): CheckCounts {
  return {
    success,
    consecutiveFailures: success ? 0 : row.consecutiveFailures + 1,
    consecutiveSuccesses: success ? row.consecutiveSuccesses + 1 : 0,
    recentResults: (row.recentResults + (success ? "0" : "1")).slice(-100),
  };
}

/** The integration columns one probe result writes. */
export type ProbeState = Pick<
  IntegrationRow,
  "status" | "consecutiveFailures" | "consecutiveSuccesses" | "recentResults" | "lastError" | "lastSyncedAt"
>;

/** What one probe result does to a row: the columns it leaves, and whether the status changed. */
export interface ProbeStep {
  next: ProbeState;
  changed: boolean;
}

/**
 * One probe result applied to a row (pure): counters, the window (emptied at a status change, so a recovery is
 * not undone by old failures), last error / last sync and the status rule. The single-event and the batch path
 * both step through this, so N results in one batch leave exactly what N single applications leave.
 */
export function stepProbe(
  row: ProbeState & StatusRules,
  result: Pick<ProbeResult, "success" | "error" | "checkedAt">,
): ProbeStep {
  const counts = countCheck(row, result.success);
  const status = nextStatus(row.status, counts, row);
  const changed = status !== row.status;
  return {
    changed,
    next: {
      status,
      consecutiveFailures: counts.consecutiveFailures,
      consecutiveSuccesses: counts.consecutiveSuccesses,
      recentResults: changed ? "" : counts.recentResults,
      lastError: result.success ? null : (result.error?.message ?? "probe failed").slice(0, 2000),
      lastSyncedAt: result.success ? new Date(result.checkedAt) : row.lastSyncedAt,
    },
  };
}

/**
 * Writes one probe step of a locked row through appendChange: the row (event_seq moves only when an event is
 * emitted), and on a status change its `status_changed` (cause = the probe event, time = the check's time) and a
 * `status_change` audit entry. Returns the row as written.
 */
export function writeProbeStep(
  tx: Tx,
  args: {
    topics: TopicNames;
    before: IntegrationRow;
    step: ProbeStep;
    event: IntegrationProbeCompleted;
    traceparent: string | undefined;
    now: Date;
  },
): Promise<IntegrationRow> {
  const { before, step, event, now } = args;
  const { changed } = step;
  const success = event.data.success;
  return appendChange(tx, {
    traceparent: args.traceparent,
    topics: args.topics,
    before,
    write: (eventSeq) =>
      updateRow(tx, before.id, {
        ...step.next,
        eventSeq,
        ...(changed ? { updatedAt: now, updatedBy: "system" } : {}),
      }),
    events: changed
      ? [statusChanged(before.status, success ? "probe_recovered" : "probe_failures", event.id)]
      : [],
    audit: changed
      ? (updated) => ({
          action: "status_change",
          actor: "system",
          before: toAuditState(before),
          after: toAuditState(updated),
          requestId: event.id,
          clientIp: null,
        })
      : null,
    now,
    // The status changed when the deciding check ran (what flapping windows and stats durations measure).
    eventTime: new Date(event.data.checkedAt),
  });
}

/**
 * Applies one `integration.probe_completed` exactly once (processed_events dedupes by event id, in the same
 * transaction): records the test result, updates lastSyncedAt/lastError/consecutiveFailures and the status, and
 * emits `integration.status_changed` through the outbox. The NOTIFY wakes the request waiting on the test, on
 * whichever replica it is. The consumer applies whole batches (apply-probe-batch.ts); this one-event path is its
 * fallback when a batch fails for a data reason, and the reference the batch path is tested against.
 */
export async function applyProbeResult(
  deps: Pick<DomainDeps, "db" | "topics">,
  event: IntegrationProbeCompleted,
  /** Trace context the resulting status change carries (the consumer's span); defaults to the probe's. */
  traceparent: string | undefined = event.traceparent,
): Promise<ApplyOutcome> {
  const db: Db = deps.db;
  return withSystem(db, async (tx) => {
    const fresh = await tx
      .insert(processedEvents)
      .values({ eventId: event.id })
      .onConflictDoNothing()
      .returning({ id: processedEvents.eventId });
    if (fresh.length === 0) return "duplicate";
    const result = event.data;
    const [row] = await tx
      .select()
      .from(integrations)
      .where(and(eq(integrations.id, result.integrationId), eq(integrations.tenantId, event.tenantid)))
      .for("update");
    if (result.testId) {
      const done = await tx
        .update(connectionTests)
        .set({
          status: result.success ? "SUCCEEDED" : "FAILED",
          completedAt: new Date(result.checkedAt),
          result,
        })
        .where(
          and(
            eq(connectionTests.id, result.testId),
            eq(connectionTests.tenantId, event.tenantid),
            eq(connectionTests.status, "PENDING"),
          ),
        )
        .returning({ id: connectionTests.id });
      if (done.length > 0) await tx.execute(sql`select pg_notify(${TEST_DONE_CHANNEL}, ${result.testId})`);
    }
    if (!row) return "unknown_integration";
    await writeProbeStep(tx, {
      topics: deps.topics,
      before: row,
      step: stepProbe(row, result),
      event,
      traceparent,
      now: new Date(),
    });
    return "applied";
  });
}
