import type { IncidentAnomaly, IncidentError, PolicyScope } from "@hip/contracts";
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
export const integrations = alertsSchema.table("integrations", {
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
  updatedAt: ts("updated_at").notNull().defaultNow(),
});
export type IntegrationRow = typeof integrations.$inferSelect;

/** Ids of consumed events already applied (with the sequence gates: redelivery and replay change nothing). */
export const processedEvents = alertsSchema.table("processed_events", {
  eventId: uuid("event_id").primaryKey(),
  processedAt: ts("processed_at").notNull().defaultNow(),
});

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
    openedByEventId: uuid("opened_by_event_id").notNull(),
    resolvedByEventId: uuid("resolved_by_event_id"),
    /** STATUS (integration turned ERROR) or a traffic anomaly kind (issue 14, migration 0002). */
    kind: text("kind").notNull().default("STATUS"),
    /** Observed vs expected of the traffic anomaly behind the incident; null for STATUS. */
    anomaly: jsonb("anomaly").$type<IncidentAnomaly>(),
  },
  (t) => [
    uniqueIndex("incidents_one_open_per_integration_kind")
      .on(t.integrationId, t.kind)
      .where(sql`${t.resolvedAt} IS NULL`),
    uniqueIndex("incidents_opened_by_event_uq").on(t.openedByEventId),
    index("incidents_tenant_list_idx").on(t.tenantId, t.openedAt, t.id),
    index("incidents_tenant_integration_idx").on(t.tenantId, t.integrationId, t.openedAt),
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
