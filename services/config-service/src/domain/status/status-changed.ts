import type { EventData, IntegrationStatus } from "@hip/contracts";
import type { ChangeEvent } from "../integrations/append-change.ts";

type StatusChangedData = EventData<"integration.status_changed">;

/**
 * The one builder of `integration.status_changed`: everything but the reason and the cause comes from the row
 * as the change left it, so the event always agrees with the record.
 */
export function statusChanged(
  from: IntegrationStatus,
  reason: StatusChangedData["reason"],
  causationId: string | null,
): ChangeEvent<"integration.status_changed"> {
  return {
    type: "integration.status_changed",
    data: (after) => ({
      integrationId: after.id,
      from,
      to: after.status,
      reason,
      consecutiveFailures: after.consecutiveFailures,
      consecutiveSuccesses: after.consecutiveSuccesses,
      lastError: after.lastError,
      lastSyncedAt: after.lastSyncedAt?.toISOString() ?? null,
      causationId,
    }),
  };
}
