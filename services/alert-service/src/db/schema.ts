import type {
  FlappingRule,
  FlappingState,
  IncidentAnomaly,
  IncidentError,
  MaintenanceMark,
  MaintenanceScope,
  PolicyScope,
} from "@hip/contracts";
import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** alert-service owns the `alerts` schema and nothing else. */
export const alertsSchema = pgSchema("alerts");

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/**
 * Local projection of integration.config.v1 and integration.status.v1: what message bodies and policy matching
 * need (name, type, status, the last probe error). Each source has its own sequence gate, because the two topics
 * are consumed independently and the config service's sequence spans both (docs/decisions/0501).
 * `incident_seq` numbers this service's own events about the integration (the `sequence` extension).
 */
export interface ChildDigestEntry {
  incidentId: string;
  integrationId: string;
  integrationName: string | null;
}

export const integrations = alertsSchema.table(
  "integrations",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name"),
    type: text("type"),
    status: text("status"),
    configSeq: bigint("config_seq", { mode: "number" }).notNull().default(-1),
    statusSeq: bigint("status_seq", { mode: "number" }).notNull().default(-1),
    probeSeq: bigint("probe_seq", { mode: "number" }).notNull().default(-1),
    /** Sequence of the integration.deleted event; older status events are ignored after it. */
    deletedSeq: bigint("deleted_seq", { mode: "number" }),
    lastError: jsonb("last_error").$type<IncidentError & { eventId: string }>(),
    incidentSeq: bigint("incident_seq", { mode: "number" }).notNull().default(0),
    /** Times (epoch ms, from the events) of the recent ERROR/ACTIVE changes: flapping is decided from these. */
    statusChanges: jsonb("status_changes").$type<number[]>().notNull().default([]),
    /** Time of the last ERROR/ACTIVE change (the event's time). */
    lastChangeAt: ts("last_change_at"),
    /** The status_changed event of that change (a settled flapping incident resolves with it as its cause). */
    lastChangeEventId: uuid("last_change_event_id"),
    /** From config events: when the integration's credentials expire, if known. */
    credentialsExpireAt: ts("credentials_expire_at"),
    /** Next time a credentials expiry threshold is reached (fired by the timer loop); null = none pending. */
    credentialsDueAt: ts("credentials_due_at"),
    /** From config events: the integrations this one depends on (docs/decisions/0514). */
    dependsOn: uuid("depends_on").array().notNull().default(sql`'{}'::uuid[]`),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [index("integrations_depends_on_idx").using("gin", t.dependsOn)],
);
export type IntegrationRow = typeof integrations.$inferSelect;

/**
 * Ids of consumed events already applied (with the sequence gates: redelivery and replay change nothing). Purged
 * after PROCESSED_EVENTS_RETENTION_HOURS, longer than the topics keep messages.
 */
export const processedEvents = alertsSchema.table(
  "processed_events",
  {
    eventId: uuid("event_id").primaryKey(),
    processedAt: ts("processed_at").notNull().defaultNow(),
  },
  (t) => [index("processed_events_processed_at_idx").on(t.processedAt)],
);

/**
 * Incidents. At most one unresolved incident per integration (partial unique index), and at most one incident
 * per opening event (`opened_by_event_id` unique): a redelivered or replayed status_changed cannot open another.
 */
export const incidents = alertsSchema.table(
  "incidents",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    integrationId: uuid("integration_id").notNull(),
    integrationName: text("integration_name"),
    integrationType: text("integration_type"),
    state: text("state").notNull(),
    openedAt: ts("opened_at").notNull(),
    acknowledgedAt: ts("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by"),
    resolvedAt: ts("resolved_at"),
    resolveReason: text("resolve_reason"),
    error: jsonb("error").$type<IncidentError>(),
    /** Set when the integration started flapping during this incident (docs/decisions/0511). */
    flapping: jsonb("flapping").$type<FlappingState>(),
    /** Set when the incident opened inside a maintenance window (docs/decisions/0512). */
    maintenance: jsonb("maintenance").$type<MaintenanceMark>(),
    openedByEventId: uuid("opened_by_event_id").notNull(),
    resolvedByEventId: uuid("resolved_by_event_id"),
    /** STATUS (integration turned ERROR) or a traffic anomaly kind (issue 14, migration 0002). */
    kind: text("kind").notNull().default("STATUS"),
    /** Observed vs expected of the traffic anomaly behind the incident; null for STATUS. */
    anomaly: jsonb("anomaly").$type<IncidentAnomaly>(),
    /** The parent integration's incident this one opened under (docs/decisions/0514). */
    parentIncidentId: uuid("parent_incident_id"),
    /** True while held back by the parent's incident (no notification); false once released. */
    suppressed: boolean("suppressed").notNull().default(false),
    /** Incidents of dependent integrations that opened under this one. */
    childCount: integer("child_count").notNull().default(0),
    /** The digest sent with the `children` notice. */
    children: jsonb("children").$type<ChildDigestEntry[]>(),
  },
  (t) => [
    uniqueIndex("incidents_one_open_per_integration_kind")
      .on(t.integrationId, t.kind)
      .where(sql`${t.resolvedAt} IS NULL`),
    uniqueIndex("incidents_opened_by_event_uq").on(t.openedByEventId),
    index("incidents_tenant_list_idx").on(t.tenantId, t.openedAt, t.id),
    index("incidents_tenant_integration_idx").on(t.tenantId, t.integrationId, t.openedAt),
    index("incidents_parent_idx").on(t.parentIncidentId),
  ],
);
export type IncidentRow = typeof incidents.$inferSelect;

export const timeline = alertsSchema.table(
  "timeline",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: text("tenant_id").notNull(),
    incidentId: uuid("incident_id").notNull(),
    at: ts("at").notNull().defaultNow(),
    kind: text("kind").notNull(),
    actor: text("actor").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index("timeline_incident_idx").on(t.incidentId, t.id)],
);

/** Masks shown instead of secret values (`{ url: "https://hooks.slack.com/****abcd", secret: "****wxyz" }`). */
export type ChannelMasks = Record<string, string>;

/**
 * Notification channels. Secret settings (webhook/Slack/Teams URLs, webhook secret, PagerDuty routing key) live
 * only in `secrets_enc` (AES-256-GCM under the key ring, bound to tenant, id and field by AAD); `config` holds the
 * rest in clear and `masks` what answers show.
 */
export const channels = alertsSchema.table(
  "channels",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    type: text("type").notNull(),
    config: jsonb("config").$type<Record<string, unknown>>().notNull(),
    secretsEnc: text("secrets_enc"),
    masks: jsonb("masks").$type<ChannelMasks>().notNull(),
    lastTest: jsonb("last_test").$type<{ at: string; ok: boolean; code: string | null }>(),
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [uniqueIndex("channels_tenant_name_uq").on(t.tenantId, sql`lower(${t.name})`)],
);
export type ChannelRow = typeof channels.$inferSelect;

export interface EscalationRule {
  afterMinutes: number;
  channelIds: string[];
}

export const policies = alertsSchema.table(
  "policies",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    enabled: boolean("enabled").notNull(),
    integrations: jsonb("integrations").$type<PolicyScope>().notNull(),
    channelIds: jsonb("channel_ids").$type<string[]>().notNull(),
    notifyOnResolve: boolean("notify_on_resolve").notNull(),
    renotifyMinutes: integer("renotify_minutes"),
    escalation: jsonb("escalation").$type<EscalationRule>(),
    flapping: jsonb("flapping")
      .$type<FlappingRule>()
      .default({ changes: 4, windowMinutes: 30, stableMinutes: 15 }),
    expiryDays: jsonb("expiry_days").$type<number[]>().notNull().default([30, 14, 7, 1]),
    dependencyGraceMinutes: integer("dependency_grace_minutes").notNull().default(2),
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [uniqueIndex("policies_tenant_name_uq").on(t.tenantId, sql`lower(${t.name})`)],
);
export type PolicyRow = typeof policies.$inferSelect;

/**
 * Expiry notices (not incidents): one row per (integration, kind, subject key, threshold), so each threshold of
 * each certificate (by fingerprint) or credentials expiry is noticed once, across restarts and replays. Their
 * deliveries use the notice id where incidents use the incident id (`deliveries.incident_id`).
 */
export const notices = alertsSchema.table(
  "notices",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    integrationId: uuid("integration_id").notNull(),
    integrationName: text("integration_name"),
    integrationType: text("integration_type"),
    kind: text("kind").notNull(),
    /** Certificate fingerprint (or subject + validTo without one); the expiry instant for credentials. */
    subjectKey: text("subject_key").notNull(),
    subject: text("subject").notNull(),
    threshold: text("threshold").notNull(),
    expiresAt: ts("expires_at").notNull(),
    createdAt: ts("created_at").notNull(),
    notified: boolean("notified").notNull(),
  },
  (t) => [
    uniqueIndex("notices_once_uq").on(t.integrationId, t.kind, t.subjectKey, t.threshold),
    index("notices_tenant_idx").on(t.tenantId, t.createdAt),
  ],
);
export type NoticeRow = typeof notices.$inferSelect;

/**
 * Maintenance windows: a local start in an IANA zone, a duration, an optional RRULE (docs/decisions/0512).
 * Occurrences are computed, never stored.
 */
export const maintenanceWindows = alertsSchema.table(
  "maintenance_windows",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    startLocal: text("start_local").notNull(),
    timeZone: text("time_zone").notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    rrule: text("rrule"),
    scope: jsonb("scope").$type<MaintenanceScope>().notNull(),
    /** Start of the next occurrence not yet announced (`maintenance.occurrence`); null when there is none. */
    nextStartAt: ts("next_start_at"),
    /** `sequence` of this window's events (subject = window id). */
    eventSeq: bigint("event_seq", { mode: "number" }).notNull().default(0),
    version: integer("version").notNull().default(1),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("maintenance_tenant_name_uq").on(t.tenantId, sql`lower(${t.name})`),
    index("maintenance_next_start_idx").on(t.nextStartAt),
  ],
);
export type MaintenanceRow = typeof maintenanceWindows.$inferSelect;

/**
 * One row per (incident, transition, channel): the delivery's key, its BullMQ job id, and the idempotency key's
 * source. Written in the same transaction as the incident change that causes it, so a crash between commit and
 * enqueue loses nothing (the dispatcher enqueues pending rows). `state`: pending -> sending -> succeeded | failed,
 * or cancelled (reminders after ack/resolve, deleted channel). At most one success per key: the transition to
 * succeeded is conditional on the row still being in `sending` under the same attempt.
 */
export const deliveries = alertsSchema.table(
  "deliveries",
  {
    key: text("key").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    incidentId: uuid("incident_id").notNull(),
    channelId: uuid("channel_id").notNull(),
    channelType: text("channel_type").notNull(),
    channelName: text("channel_name").notNull(),
    transition: text("transition").notNull(),
    /** Whether the policy that engaged this channel wants the resolve notice (opened/reminders/escalation rows). */
    notifyOnResolve: boolean("notify_on_resolve").notNull().default(true),
    state: text("state").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** The time the latency is measured from (the status change, the ack, the reminder's due time). */
    originAt: ts("origin_at").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    nextAttemptAt: ts("next_attempt_at").notNull().defaultNow(),
    enqueuedAt: ts("enqueued_at"),
    leaseUntil: ts("lease_until"),
    lastAttemptAt: ts("last_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    succeededAt: ts("succeeded_at"),
    finishedAt: ts("finished_at"),
    latencyMs: integer("latency_ms"),
  },
  (t) => [
    index("deliveries_due_idx").on(t.nextAttemptAt).where(sql`${t.state} IN ('pending', 'sending')`),
    index("deliveries_incident_idx").on(t.incidentId, t.channelId, t.createdAt),
    index("deliveries_channel_idx").on(t.channelId, t.createdAt),
  ],
);
export type DeliveryRow = typeof deliveries.$inferSelect;

/**
 * Re-notification and escalation due times, in the database (not in-process timers): any replica fires a due
 * timer under FOR UPDATE SKIP LOCKED, in the same transaction as the deliveries it creates. Ack and resolve
 * delete an incident's timers.
 */
export const incidentTimers = alertsSchema.table(
  "incident_timers",
  {
    incidentId: uuid("incident_id").notNull(),
    kind: text("kind").notNull(),
    policyId: uuid("policy_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    dueAt: ts("due_at").notNull(),
    channelIds: jsonb("channel_ids").$type<string[]>().notNull(),
    intervalMinutes: integer("interval_minutes"),
    notifyOnResolve: boolean("notify_on_resolve").notNull(),
    fired: integer("fired").notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.kind, t.policyId] }),
    index("incident_timers_due_idx").on(t.dueAt),
  ],
);
export type IncidentTimerRow = typeof incidentTimers.$inferSelect;

/** Transactional outbox for integration.incident.v1 (same shape as config.outbox; relayed by @hip/outbox). */
export const outbox = alertsSchema.table(
  "outbox",
  {
    id: uuid("id").primaryKey(),
    position: bigserial("position", { mode: "number" }).notNull(),
    tenantId: text("tenant_id").notNull(),
    integrationId: uuid("integration_id").notNull(),
    sequence: bigint("sequence", { mode: "number" }).notNull(),
    topic: text("topic").notNull(),
    eventType: text("event_type").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    publishedAt: ts("published_at"),
    attempts: integer("attempts").notNull().default(0),
    /** Lease of the relay sending this row (no transaction is held across the broker send; decision 0821). */
    claimedUntil: ts("claimed_until"),
    claimedBy: text("claimed_by"),
  },
  (t) => [
    index("outbox_unpublished_idx").on(t.integrationId, t.sequence).where(sql`${t.publishedAt} IS NULL`),
    index("outbox_published_idx").on(t.publishedAt),
  ],
);

/** Append-only (trigger). Channel and policy changes, acks. before/after hold masks, never a secret. */
export const auditLog = alertsSchema.table(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: text("tenant_id").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: uuid("entity_id").notNull(),
    action: text("action").notNull(),
    actor: text("actor").notNull(),
    before: jsonb("before").$type<Record<string, unknown>>(),
    after: jsonb("after").$type<Record<string, unknown>>(),
    requestId: text("request_id"),
    clientIp: text("client_ip"),
    at: ts("at").notNull().defaultNow(),
  },
  (t) => [index("audit_log_entity_idx").on(t.tenantId, t.entityId, t.id)],
);
