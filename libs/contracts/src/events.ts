import { z } from "zod";
import { AuthType, IntegrationStatus, IntegrationType } from "./enums.ts";
import { FailedDelivery, IncidentSnapshot } from "./incident.ts";
import { ProbeResult } from "./probe.ts";
import type { TopicNames } from "./topics.ts";
import { TrafficAnomalyData, TrafficExpectations, TrafficReport } from "./traffic.ts";

/**
 * CloudEvents 1.0 envelope (structured JSON mode) with these extensions:
 * - `tenantid`: the owning tenant (every event belongs to exactly one);
 * - `sequence`: a non-negative integer, strictly increasing per (source, subject). Consumers apply an event about an
 *   integration only when its sequence is above the last one applied from that source.
 * - `traceparent` (optional, CloudEvents distributed-tracing extension): the W3C trace context of the work that
 *   produced the event (the admin's request, the probe run), so one trace follows it across services.
 * `subject` is always the integration id, which is also the Kafka message key.
 */
export const TRACEPARENT_PATTERN = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const envelope = {
  specversion: z.literal("1.0"),
  id: z.uuid(),
  source: z.string().min(1),
  time: z.iso.datetime(),
  subject: z.uuid(),
  tenantid: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  datacontenttype: z.literal("application/json").default("application/json"),
  traceparent: z.string().regex(TRACEPARENT_PATTERN).optional(),
};

/** Non-secret snapshot of an integration carried by config events: presence flags, never values or masks. */
export const IntegrationSnapshot = z.object({
  id: z.uuid(),
  tenantId: z.string(),
  name: z.string(),
  type: IntegrationType,
  provider: z.string().nullable(),
  description: z.string().nullable(),
  endpoint: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  authType: AuthType,
  status: IntegrationStatus,
  timeout: z.number().int(),
  retryAttempts: z.number().int(),
  healthCheck: z.object({ enabled: z.boolean(), intervalSeconds: z.number().int() }),
  failureThreshold: z.number().int(),
  /** Absent on events written before recovery thresholds existed (= 1). */
  recoveryThreshold: z.number().int().default(1),
  failureWindow: z.object({ failures: z.number().int(), of: z.number().int() }).nullable().default(null),
  /** When the credentials expire, if known (absent on older events). */
  credentialsExpireAt: z.iso.datetime().nullable().default(null),
  /** Absent in events written before traffic expectations existed. */
  trafficExpectations: TrafficExpectations.nullable().optional(),
  /** Ids this integration depends on (absent on older events = none): the alert service keeps the graph. */
  dependsOn: z.array(z.uuid()).default([]),
  credentialsSet: z.record(z.string(), z.boolean()),
  headerNames: z.array(z.string()),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type IntegrationSnapshot = z.infer<typeof IntegrationSnapshot>;

export const IntegrationCreated = z.object({
  ...envelope,
  type: z.literal("integration.created"),
  data: z.object({ integration: IntegrationSnapshot, actor: z.string() }),
});
export type IntegrationCreated = z.infer<typeof IntegrationCreated>;

export const IntegrationUpdated = z.object({
  ...envelope,
  type: z.literal("integration.updated"),
  data: z.object({
    integration: IntegrationSnapshot,
    changedFields: z.array(z.string()),
    actor: z.string(),
  }),
});
export type IntegrationUpdated = z.infer<typeof IntegrationUpdated>;

export const IntegrationDeleted = z.object({
  ...envelope,
  type: z.literal("integration.deleted"),
  data: z.object({
    integrationId: z.uuid(),
    name: z.string(),
    integrationType: IntegrationType,
    version: z.number().int(),
    actor: z.string(),
  }),
});
export type IntegrationDeleted = z.infer<typeof IntegrationDeleted>;

export const IntegrationTestRequested = z.object({
  ...envelope,
  type: z.literal("integration.test_requested"),
  data: z.object({
    testId: z.uuid(),
    integrationId: z.uuid(),
    requestedBy: z.string(),
    /** The config service stops waiting after this long and answers 202; the probe still runs. */
    waitMs: z.number().int().nonnegative(),
  }),
});
export type IntegrationTestRequested = z.infer<typeof IntegrationTestRequested>;

export const ConfigEvent = z.discriminatedUnion("type", [
  IntegrationCreated,
  IntegrationUpdated,
  IntegrationDeleted,
  IntegrationTestRequested,
]);
export type ConfigEvent = z.infer<typeof ConfigEvent>;

export const IntegrationProbeCompleted = z.object({
  ...envelope,
  type: z.literal("integration.probe_completed"),
  data: ProbeResult,
});
export type IntegrationProbeCompleted = z.infer<typeof IntegrationProbeCompleted>;

export const IntegrationStatusChanged = z.object({
  ...envelope,
  type: z.literal("integration.status_changed"),
  data: z.object({
    integrationId: z.uuid(),
    from: IntegrationStatus,
    to: IntegrationStatus,
    reason: z.enum(["probe_failures", "probe_recovered", "admin", "test_started", "test_finished"]),
    consecutiveFailures: z.number().int().nonnegative(),
    /** Successes in a row at the time of the change (absent on older events). */
    consecutiveSuccesses: z.number().int().nonnegative().default(0),
    lastError: z.string().nullable(),
    lastSyncedAt: z.iso.datetime().nullable(),
    /** The probe event that caused the change, if any. */
    causationId: z.uuid().nullable(),
  }),
});
export type IntegrationStatusChanged = z.infer<typeof IntegrationStatusChanged>;

/**
 * A traffic anomaly opened or resolved (stats-service outbox, source /hip/stats-service). Sequence: per
 * integration, strictly increasing across its anomaly events.
 */
export const IntegrationTrafficAnomaly = z.object({
  ...envelope,
  type: z.literal("integration.traffic_anomaly"),
  data: TrafficAnomalyData,
});
export type IntegrationTrafficAnomaly = z.infer<typeof IntegrationTrafficAnomaly>;

export const StatusEvent = z.discriminatedUnion("type", [
  IntegrationProbeCompleted,
  IntegrationStatusChanged,
  IntegrationTrafficAnomaly,
]);
export type StatusEvent = z.infer<typeof StatusEvent>;

export const IncidentOpened = z.object({
  ...envelope,
  type: z.literal("incident.opened"),
  data: z.object({
    incident: IncidentSnapshot,
    /** The `integration.status_changed` event that opened it. */
    causationId: z.uuid(),
  }),
});
export type IncidentOpened = z.infer<typeof IncidentOpened>;

export const IncidentAcknowledged = z.object({
  ...envelope,
  type: z.literal("incident.acknowledged"),
  data: z.object({ incident: IncidentSnapshot, actor: z.string() }),
});
export type IncidentAcknowledged = z.infer<typeof IncidentAcknowledged>;

export const IncidentResolved = z.object({
  ...envelope,
  type: z.literal("incident.resolved"),
  data: z.object({
    incident: IncidentSnapshot,
    /** The status_changed or integration.deleted event that resolved it. */
    causationId: z.uuid(),
  }),
});
export type IncidentResolved = z.infer<typeof IncidentResolved>;

export const IncidentNotificationFailed = z.object({
  ...envelope,
  type: z.literal("incident.notification_failed"),
  data: z.object({ incident: IncidentSnapshot, delivery: FailedDelivery }),
});
export type IncidentNotificationFailed = z.infer<typeof IncidentNotificationFailed>;

/** The integration started flapping: the incident stays open through its changes, one notice goes out. */
export const IncidentFlapping = z.object({
  ...envelope,
  type: z.literal("incident.flapping"),
  data: z.object({ incident: IncidentSnapshot, causationId: z.uuid() }),
});
export type IncidentFlapping = z.infer<typeof IncidentFlapping>;

/** A flapping integration held one status for the policy's stable period (ACTIVE: the incident also resolves). */
export const IncidentSettled = z.object({
  ...envelope,
  type: z.literal("incident.settled"),
  data: z.object({ incident: IncidentSnapshot, status: z.enum(["ACTIVE", "ERROR"]) }),
});
export type IncidentSettled = z.infer<typeof IncidentSettled>;

/**
 * One occurrence of a maintenance window, published when it starts (and again, same `startsAt`, when an edit or
 * delete changes its end while it runs). `subject` and key are the window id, `sequence` per window. Consumers
 * (the stats service) keep intervals by (window id, startsAt); past occurrences are facts a later edit does not
 * rewrite.
 */
export const MaintenanceOccurrenceEvent = z.object({
  ...envelope,
  type: z.literal("maintenance.occurrence"),
  data: z.object({
    window: z.object({
      id: z.uuid(),
      name: z.string(),
      scope: z.discriminatedUnion("scope", [
        z.object({ scope: z.literal("tenant") }),
        z.object({ scope: z.literal("integrations"), ids: z.array(z.uuid()) }),
        z.object({ scope: z.literal("types"), types: z.array(IntegrationType) }),
      ]),
    }),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
  }),
});
export type MaintenanceOccurrenceEvent = z.infer<typeof MaintenanceOccurrenceEvent>;

export const IncidentEvent = z.discriminatedUnion("type", [
  IncidentOpened,
  IncidentAcknowledged,
  IncidentResolved,
  IncidentNotificationFailed,
  IncidentFlapping,
  IncidentSettled,
]);
export type IncidentEvent = z.infer<typeof IncidentEvent>;

export const AnyEvent = z.discriminatedUnion("type", [
  IntegrationCreated,
  IntegrationUpdated,
  IntegrationDeleted,
  IntegrationTestRequested,
  IntegrationProbeCompleted,
  IntegrationStatusChanged,
  IntegrationTrafficAnomaly,
  IncidentOpened,
  IncidentAcknowledged,
  IncidentResolved,
  IncidentNotificationFailed,
  IncidentFlapping,
  IncidentSettled,
  MaintenanceOccurrenceEvent,
]);
export type AnyEvent = z.infer<typeof AnyEvent>;
export type EventType = AnyEvent["type"];

/** The `data` of the event of type T, as the contract defines it. */
export type EventData<T extends EventType> = Extract<AnyEvent, { type: T }>["data"];

/** The topic each event type travels on (a key of TopicNames). */
export const EVENT_TOPIC = {
  "integration.created": "config",
  "integration.updated": "config",
  "integration.deleted": "config",
  "integration.test_requested": "config",
  "integration.probe_completed": "status",
  "integration.status_changed": "status",
  "integration.traffic_anomaly": "status",
  "incident.opened": "incident",
  "incident.acknowledged": "incident",
  "incident.resolved": "incident",
  "incident.notification_failed": "incident",
  "incident.flapping": "incident",
  "incident.settled": "incident",
  "maintenance.occurrence": "incident",
} as const satisfies Record<EventType, keyof TopicNames>;

export const EVENT_SOURCES = {
  configService: "/hip/config-service",
  probeWorker: "/hip/probe-worker",
  alertService: "/hip/alert-service",
  statsService: "/hip/stats-service",
} as const;

/**
 * A traffic report on `integration.traffic.v1` (high-volume ingest; not part of AnyEvent: reporters are interface
 * engines outside the platform). `subject` = integration id = Kafka key, `tenantid` the owning tenant; `source`
 * (the reporter) is the idempotency key's third part. No `sequence`: reports are counted once per
 * (integration, windowStart, source), in any order.
 */
export const IntegrationTrafficReported = z.object({
  specversion: z.literal("1.0"),
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(200),
  type: z.literal("integration.traffic_reported"),
  time: z.iso.datetime({ offset: true }).optional(),
  subject: z.uuid(),
  tenantid: z.string().min(1).max(100),
  datacontenttype: z.literal("application/json").default("application/json"),
  data: TrafficReport.omit({ source: true }),
});
export type IntegrationTrafficReported = z.infer<typeof IntegrationTrafficReported>;

/** Builds an envelope; the caller supplies the id (e.g. the outbox row id) so retries keep the same id. */
export function cloudEvent<T extends EventType, D>(args: {
  id: string;
  type: T;
  source: string;
  subject: string;
  tenantId: string;
  sequence: number;
  data: D;
  time?: Date;
  /** W3C trace context of the producing work; omitted when there is none. */
  traceparent?: string | undefined;
}): {
  specversion: "1.0";
  id: string;
  source: string;
  type: T;
  time: string;
  subject: string;
  tenantid: string;
  sequence: number;
  datacontenttype: "application/json";
  traceparent?: string;
  data: D;
} {
  return {
    specversion: "1.0",
    id: args.id,
    source: args.source,
    type: args.type,
    time: (args.time ?? new Date()).toISOString(),
    subject: args.subject,
    tenantid: args.tenantId,
    sequence: args.sequence,
    datacontenttype: "application/json",
    ...(args.traceparent ? { traceparent: args.traceparent } : {}),
    data: args.data,
  };
}
