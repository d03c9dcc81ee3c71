import type { IntegrationProbeCompleted, IntegrationStatus } from "@hip/contracts";
import { and, eq, sql } from "drizzle-orm";
import { type Db, withSystem } from "../../db/client.ts";
import { connectionTests, integrations, processedEvents } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { appendChange } from "../integrations/append-change.ts";
import { updateRow } from "../integrations/shared.ts";
import { toAuditState } from "../integrations/view.ts";
import { TEST_DONE_CHANNEL } from "../connection-tests/request-connection-test.ts";
import { statusChanged } from "./status-changed.ts";

export type ApplyOutcome = "duplicate" | "unknown_integration" | "applied";

/** Status rule: ACTIVE -> ERROR after `threshold` consecutive failures; ERROR -> ACTIVE on success; else unchanged. */
export function nextStatus(
  current: IntegrationStatus,
  success: boolean,
  consecutiveFailures: number,
  threshold: number,
): IntegrationStatus {
  if (current === "ACTIVE" && !success && consecutiveFailures >= threshold) return "ERROR";
  if (current === "ERROR" && success) return "ACTIVE";
  return current;
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

    const failures = result.success ? 0 : row.consecutiveFailures + 1;
    const status = nextStatus(row.status, result.success, failures, row.failureThreshold);
    const changed = status !== row.status;
    const now = new Date();
    await appendChange(tx, {
      traceparent,
      topics: deps.topics,
      before: row,
      write: (eventSeq) =>
        updateRow(tx, row.id, {
          consecutiveFailures: failures,
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
    });
    return "applied";
  });
}
