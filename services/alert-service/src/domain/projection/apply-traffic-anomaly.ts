import type { IncidentError, IntegrationTrafficAnomaly, TrafficAnomalyData } from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import type { DomainDeps } from "../context.ts";
import { openIncident } from "../incidents/open-incident.ts";
import { resolveOpenIncident } from "../incidents/resolve-incident.ts";
import { firstTimeApplied, lockIntegration } from "./integration-row.ts";

/** A one-line description of what the detector saw, for the incident's error (what channels show). */
export function anomalyError(d: TrafficAnomalyData): IncidentError {
  const o = d.observed;
  const e = d.expected;
  switch (d.kind) {
    case "SILENT_FEED":
      return {
        code: "SILENT_FEED",
        stage: "traffic",
        message:
          o.silentMinutes !== null && e.silenceMinutes !== null
            ? `No messages for ${Math.round(o.silentMinutes)} min (expected within ${e.silenceMinutes} min, ${e.mode})`
            : `Fewer messages than expected: ${o.messagesLastHour ?? 0} in the last hour (minimum ${e.minMessagesPerHour ?? "?"})`,
      };
    case "ERROR_SPIKE":
      return {
        code: "ERROR_SPIKE",
        stage: "traffic",
        message: `Error rate ${o.errorRatePercent ?? "?"} % over 5 min (threshold ${e.maxErrorRatePercent ?? "?"} %, ${e.mode})`,
      };
    case "QUEUE_BACKLOG":
      return {
        code: "QUEUE_BACKLOG",
        stage: "traffic",
        message:
          o.oldestQueuedAgeSeconds !== null &&
          e.maxQueuedAgeSeconds !== null &&
          o.oldestQueuedAgeSeconds > e.maxQueuedAgeSeconds
            ? `Oldest queued message ${o.oldestQueuedAgeSeconds} s old (threshold ${e.maxQueuedAgeSeconds} s)`
            : `${o.queued ?? "?"} messages queued (threshold ${e.maxQueued ?? "?"})`,
      };
  }
}

/**
 * Applies one `integration.traffic_anomaly` (stats service) in the consumer's transaction: `opened` opens an
 * incident of the anomaly's kind with the same policies, channels and delivery guarantees as a status incident;
 * `resolved` resolves the incident of that anomaly. Once per event id; an integration has at most one open
 * incident per kind (unique index), so a redelivered or replayed open is a no-op.
 */
export async function applyTrafficAnomalyTx(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  event: IntegrationTrafficAnomaly,
): Promise<"duplicate" | "ignored" | "applied" | "opened" | "resolved"> {
  if (!(await firstTimeApplied(tx, event.id))) return "duplicate";
  const row = await lockIntegration(tx, event.subject, event.tenantid);
  if (row.tenantId !== event.tenantid) return "ignored";
  const d = event.data;
  const at = new Date(d.state === "opened" ? d.detectedAt : (d.resolvedAt ?? event.time));
  if (d.state === "opened") {
    const opened = await openIncident(tx, deps, {
      integration: { ...row, name: row.name ?? d.integrationName, type: row.type ?? d.integrationType },
      eventId: event.id,
      at,
      error: anomalyError(d),
      kind: d.kind,
      anomaly: { anomalyId: d.anomalyId, since: d.since, observed: d.observed, expected: d.expected },
    });
    return opened ? "opened" : "applied";
  }
  const resolved = await resolveOpenIncident(tx, deps, {
    integrationId: row.id,
    reason: "recovered",
    eventId: event.id,
    at,
    kind: d.kind,
    anomalyId: d.anomalyId,
  });
  return resolved ? "resolved" : "applied";
}
