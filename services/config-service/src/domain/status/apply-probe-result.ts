import type { IntegrationProbeCompleted, IntegrationStatus } from "@hip/contracts";
import { and, eq, sql } from "drizzle-orm";
import { type Db, withSystem } from "../../db/client.ts";
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

/**
 * Applies one `integration.probe_completed` exactly once (processed_events dedupes by event id, in the same
 * transaction): records the test result, updates lastSyncedAt/lastError/consecutiveFailures and the status, and
 * emits `integration.status_changed` through the outbox. The NOTIFY wakes the request waiting on the test, on
 * whichever replica it is.
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

    const counts = countCheck(row, result.success);
    const status = nextStatus(row.status, counts, row);
    const changed = status !== row.status;
    const now = new Date();
    await appendChange(tx, {
      traceparent,
      topics: deps.topics,
      before: row,
      write: (eventSeq) =>
        updateRow(tx, row.id, {
          consecutiveFailures: counts.consecutiveFailures,
          consecutiveSuccesses: counts.consecutiveSuccesses,
          // The window counts checks since the last status change, so a recovery is not undone by old failures.
          recentResults: changed ? "" : counts.recentResults,
          lastError: result.success ? null : (result.error?.message ?? "probe failed").slice(0, 2000),
          lastSyncedAt: result.success ? new Date(result.checkedAt) : row.lastSyncedAt,
          status,
          eventSeq,
          ...(changed ? { updatedAt: now, updatedBy: "system" } : {}),
        }),
      events: changed
        ? [statusChanged(row.status, result.success ? "probe_recovered" : "probe_failures", event.id)]
        : [],
      audit: changed
        ? (updated) => ({
            action: "status_change",
            actor: "system",
            before: toAuditState(row),
            after: toAuditState(updated),
            requestId: event.id,
            clientIp: null,
          })
        : null,
      now,
      // The status changed when the deciding check ran (what flapping windows and stats durations measure).
      eventTime: new Date(result.checkedAt),
    });
    return "applied";
  });
}
