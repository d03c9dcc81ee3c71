import type { ChannelType, ChannelView, DeliveryOutcome } from "@hip/contracts";
import type { ChannelRow, DeliveryRow } from "../../db/schema.ts";
import { SECRET_CONFIG_FIELDS } from "../../channels/secrets.ts";

const OUTCOMES: Record<string, DeliveryOutcome> = {
  pending: "pending",
  sending: "pending",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
};

/** What answers and audit entries show: clear settings plus masks, never a secret value. */
export function toChannelView(row: ChannelRow, last: DeliveryRow | null = null): ChannelView {
  const type = row.type as ChannelType;
  return {
    id: row.id,
    name: row.name,
    type,
    config: { ...row.config, ...row.masks },
    secretsSet: Object.fromEntries(SECRET_CONFIG_FIELDS[type].map((f) => [f, f in row.masks])),
    lastDelivery: last
      ? {
          key: last.key,
          incidentId: last.incidentId,
          transition: last.transition,
          outcome: OUTCOMES[last.state] ?? "pending",
          attempts: last.attempts,
          at: (last.finishedAt ?? last.lastAttemptAt ?? last.createdAt).toISOString(),
          statusCode: last.lastStatusCode,
          error: last.lastError,
        }
      : null,
    lastTest: row.lastTest ?? null,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    createdBy: row.createdBy,
    updatedBy: row.updatedBy,
  };
}

/** The audited state of a channel: the view without delivery status. */
export function toChannelAudit(row: ChannelRow): Record<string, unknown> {
  const { lastDelivery: _d, lastTest: _t, ...rest } = toChannelView(row);
  return rest;
}
