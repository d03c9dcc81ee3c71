import { z } from "zod";
import { IntegrationType } from "./enums.ts";
import { TrafficAnomalyKind, TrafficExpectation, TrafficObservation } from "./traffic.ts";

/**
 * Incidents (alert-service). One incident per integration outage: opened when the integration's status turns
 * ERROR, acknowledged by an admin, resolved when it returns to ACTIVE, is set INACTIVE or is deleted.
 * Shared by the `integration.incident.v1` events and the REST views.
 */
export const IncidentState = z.enum(["open", "acknowledged", "resolved"]);
export type IncidentState = z.infer<typeof IncidentState>;

export const ResolveReason = z.enum(["recovered", "inactive", "deleted"]);
export type ResolveReason = z.infer<typeof ResolveReason>;

/** Channel kinds an alert can go out through. */
export const ChannelType = z.enum(["WEBHOOK", "SLACK", "TEAMS", "PAGERDUTY", "EMAIL"]);
export type ChannelType = z.infer<typeof ChannelType>;

/**
 * What a delivery announces. `renotify-<n>` is the n-th reminder while open and unacknowledged; `escalated` the
 * escalation to the policy's escalation channels; `test` a channel test (never stored as a delivery). Together
 * with the incident id and the channel id it is the delivery's dedupe key.
 */
export const Transition = z.union([
  z.enum(["opened", "acknowledged", "resolved", "escalated", "test", "flapping", "settled", "children"]),
  z.string().regex(/^renotify-[1-9][0-9]{0,5}$/),
  /** Expiry notices (not incidents): `expiry-cert-14d`, `expiry-cert-expired`, `expiry-credentials-7d`. */
  z.string().regex(/^expiry-(cert|credentials)-([1-9][0-9]{0,2}d|expired)$/),
]);
export type Transition = z.infer<typeof Transition>;

/** The failing probe's error as the incident records it (from the probe result that caused the status change). */
export const IncidentError = z.object({
  code: z.string().max(64),
  stage: z.string().max(32).nullable(),
  message: z.string().max(2000),
});
export type IncidentError = z.infer<typeof IncidentError>;

/**
 * Flapping (docs/alert-service.md): the integration changed status more than a policy's `changes` times in its
 * `windowMinutes`. The incident then stays open through the changes, one `flapping` notice goes out, and one
 * `settled` notice once the status has held for `stableMinutes`.
 */
export const FlappingState = z.object({
  since: z.iso.datetime(),
  /** Status changes seen since flapping began. */
  changes: z.number().int().nonnegative(),
  settledAt: z.iso.datetime().nullable(),
  settledStatus: z.enum(["ACTIVE", "ERROR"]).nullable(),
  /** The status must hold this long (the longest of the matching policies' stableMinutes) to settle. */
  stableMinutes: z.number().int().positive(),
});
export type FlappingState = z.infer<typeof FlappingState>;

/** An incident opened during a maintenance window: silent until the window ends (then one notice if still open). */
export const MaintenanceMark = z.object({
  windowId: z.uuid(),
  windowName: z.string(),
  /** End of the covering window (of back-to-back windows: the last one's end). */
  endsAt: z.iso.datetime(),
  /** When the window's end was processed; null while in maintenance. */
  endedAt: z.iso.datetime().nullable(),
});
export type MaintenanceMark = z.infer<typeof MaintenanceMark>;

/** What an expiry notice is about (a TLS certificate by fingerprint, or an integration's credentials). */
export const ExpiryNotice = z.object({
  id: z.uuid(),
  kind: z.enum(["cert", "credentials"]),
  /** `30d`, `14d`, ... or `expired`. */
  threshold: z.string(),
  expiresAt: z.iso.datetime(),
  /** Certificate subject, or "credentials". */
  subject: z.string(),
  fingerprint: z.string().nullable(),
});
export type ExpiryNotice = z.infer<typeof ExpiryNotice>;
/**
 * What an incident is about: `STATUS` (the integration turned ERROR; every incident before issue 14) or a traffic
 * anomaly from the stats service (`integration.traffic_anomaly`). At most one open incident per integration and kind.
 */
export const IncidentKind = z.enum(["STATUS", ...TrafficAnomalyKind.options]);
export type IncidentKind = z.infer<typeof IncidentKind>;

/** The traffic anomaly behind a SILENT_FEED / ERROR_SPIKE / QUEUE_BACKLOG incident: observed vs expected. */
export const IncidentAnomaly = z.object({
  anomalyId: z.uuid(),
  since: z.iso.datetime(),
  observed: TrafficObservation,
  expected: TrafficExpectation,
});
export type IncidentAnomaly = z.infer<typeof IncidentAnomaly>;

export const IncidentSnapshot = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  integrationId: z.uuid(),
  /** From the alert service's projection of integration.config.v1; null if no config event was seen yet. */
  integrationName: z.string().nullable(),
  integrationType: IntegrationType.nullable(),
  state: IncidentState,
  openedAt: z.iso.datetime(),
  acknowledgedAt: z.iso.datetime().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedAt: z.iso.datetime().nullable(),
  resolveReason: ResolveReason.nullable(),
  error: IncidentError.nullable(),
  /** Null unless the integration flapped during this incident (absent on older events). */
  flapping: FlappingState.nullable().default(null),
  /** Set when the incident opened in a maintenance window (absent on older events). */
  maintenance: MaintenanceMark.nullable().default(null),
  /** Absent in events written before incident kinds existed: STATUS. */
  kind: IncidentKind.default("STATUS"),
  anomaly: IncidentAnomaly.nullable().default(null),
  /** The parent's incident this one opened under (an integration it depends on was failing); kept after release. */
  parentIncidentId: z.uuid().nullable().default(null),
  /** The parent's incident while this one is suppressed (no notification); null otherwise. */
  suppressedBy: z.uuid().nullable().default(null),
  /** Incidents of dependent integrations that opened under this one. */
  childCount: z.number().int().default(0),
  /** The digest of affected children (the `children` notice), set when the hold after opening ended. */
  children: z
    .array(
      z.object({ incidentId: z.uuid(), integrationId: z.uuid(), integrationName: z.string().nullable() }),
    )
    .default([]),
});
export type IncidentSnapshot = z.infer<typeof IncidentSnapshot>;

/** A delivery the service gave up on (after `ALERT_DELIVERY_MAX_AGE`, or at once on a permanent failure). */
export const FailedDelivery = z.object({
  key: z.string(),
  channelId: z.uuid(),
  channelName: z.string(),
  channelType: ChannelType,
  transition: Transition,
  attempts: z.number().int().nonnegative(),
  lastError: z.object({
    code: z.string(),
    message: z.string(),
    statusCode: z.number().int().nullable(),
  }),
});
export type FailedDelivery = z.infer<typeof FailedDelivery>;
