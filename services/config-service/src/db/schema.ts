import type {
  AuditAction,
  AuthType,
  ConnectionTestView,
  TrafficExpectations,
  IntegrationStatus,
  IntegrationType,
  ProbeResult,
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
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** config-service owns the `config` schema and nothing else. */
export const configSchema = pgSchema("config");

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Masks shown to users (never the value): `{ fields: { apiKey: "****1234" }, headers: { Authorization: "****abcd" } }`. */
export interface SecretMasks {
  fields: Partial<Record<string, string>>;
  headers: Record<string, string>;
}

/**
 * Integration records. Secret fields are stored only as AES-256-GCM ciphertexts (`*_enc`, key id inside).
 * `event_seq` is bumped in the same transaction as every change that emits an event, so the `sequence` of the
 * events of one integration is strictly increasing in commit order (the row lock serializes writers).
 */
export const integrations = configSchema.table(
  "integrations",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    type: text("type").$type<IntegrationType>().notNull(),
    provider: text("provider"),
    description: text("description"),
    endpoint: text("endpoint"),
    webhookUrl: text("webhook_url"),
    authType: text("auth_type").$type<AuthType>().notNull(),
    username: text("username"),
    tokenUrl: text("token_url"),
    clientId: text("client_id"),
    scope: text("scope"),
    apiKeyEnc: text("api_key_enc"),
    apiSecretEnc: text("api_secret_enc"),
    passwordEnc: text("password_enc"),
    tokenEnc: text("token_enc"),
    clientSecretEnc: text("client_secret_enc"),
    /** Non-secret headers in clear; secret-looking ones only inside `secret_headers_enc`. */
    headers: jsonb("headers").$type<Record<string, string>>(),
    secretHeadersEnc: text("secret_headers_enc"),
    secretMasks: jsonb("secret_masks").$type<SecretMasks>().notNull().default({ fields: {}, headers: {} }),
    status: text("status").$type<IntegrationStatus>().notNull(),
    config: jsonb("config").$type<Record<string, unknown>>(),
    timeout: integer("timeout").notNull(),
    retryAttempts: integer("retry_attempts").notNull(),
    healthEnabled: boolean("health_enabled").notNull(),
    healthIntervalSeconds: integer("health_interval_seconds").notNull(),
    failureThreshold: integer("failure_threshold").notNull(),
    recoveryThreshold: integer("recovery_threshold").notNull().default(1),
    /** `{ failures, of }`: ERROR when that many of the last `of` checks failed; null = consecutive rule only. */
    failureWindow: jsonb("failure_window").$type<{ failures: number; of: number }>(),
    /** Passive-health expectations (issue 14): non-secret, carried by the snapshot events. */
    trafficExpectations: jsonb("traffic_expectations").$type<TrafficExpectations>(),
    /** Ids of same-tenant integrations this one depends on (acyclic, at most 20; docs/decisions/0514). */
    dependsOn: uuid("depends_on").array().notNull().default(sql`'{}'::uuid[]`),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    consecutiveSuccesses: integer("consecutive_successes").notNull().default(0),
    /** Outcomes of the checks since the last status change, oldest first, "1" = failed (at most 100). */
    recentResults: text("recent_results").notNull().default(""),
    /** When the credentials expire, if the admin said so (expiry notices: alert service). */
    credentialsExpireAt: ts("credentials_expire_at"),
    lastSyncedAt: ts("last_synced_at"),
    lastError: text("last_error"),
    version: integer("version").notNull().default(1),
    eventSeq: bigint("event_seq", { mode: "number" }).notNull().default(0),
    createdBy: text("created_by").notNull(),
    updatedBy: text("updated_by").notNull(),
    createdAt: ts("created_at").notNull(),
    updatedAt: ts("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("integrations_tenant_name_uq").on(t.tenantId, sql`lower(${t.name})`),
    index("integrations_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    index("integrations_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("integrations_tenant_name_idx").on(t.tenantId, t.name, t.id),
    index("integrations_tenant_type_idx").on(t.tenantId, t.type, t.createdAt, t.id),
    index("integrations_tenant_status_idx").on(t.tenantId, t.status, t.createdAt, t.id),
    index("integrations_tenant_provider_idx").on(t.tenantId, t.provider, t.createdAt, t.id),
  ],
);
export type IntegrationRow = typeof integrations.$inferSelect;
export type NewIntegrationRow = typeof integrations.$inferInsert;

/** Transactional outbox. `id` is the CloudEvent id, so a re-publish after a crash keeps it (consumers dedupe). */
export const outbox = configSchema.table(
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
export type OutboxRow = typeof outbox.$inferSelect;

/** Append-only (a trigger refuses UPDATE and DELETE). before/after never hold a secret. */
export const auditLog = configSchema.table(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: text("tenant_id").notNull(),
    entityId: uuid("entity_id").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    actor: text("actor").notNull(),
    before: jsonb("before").$type<Record<string, unknown>>(),
    after: jsonb("after").$type<Record<string, unknown>>(),
    requestId: text("request_id"),
    clientIp: text("client_ip"),
    at: ts("at").notNull().defaultNow(),
  },
  (t) => [index("audit_log_entity_idx").on(t.tenantId, t.entityId, t.id)],
);
export type AuditRow = typeof auditLog.$inferSelect;

export const connectionTests = configSchema.table(
  "connection_tests",
  {
    id: uuid("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    integrationId: uuid("integration_id")
      .notNull()
      .references(() => integrations.id, { onDelete: "cascade" }),
    status: text("status").$type<ConnectionTestView["status"]>().notNull(),
    requestedBy: text("requested_by").notNull(),
    requestedAt: ts("requested_at").notNull(),
    completedAt: ts("completed_at"),
    result: jsonb("result").$type<ProbeResult>(),
  },
  (t) => [index("connection_tests_integration_idx").on(t.tenantId, t.integrationId, t.requestedAt)],
);
export type ConnectionTestRow = typeof connectionTests.$inferSelect;

/**
 * Event ids the status consumer already applied (at-least-once delivery -> exactly-once effect). Rows older than
 * PROCESSED_EVENTS_RETENTION_HOURS (longer than the status topic keeps messages) are purged in small batches.
 */
export const processedEvents = configSchema.table(
  "processed_events",
  {
    eventId: uuid("event_id").primaryKey(),
    processedAt: ts("processed_at").notNull().defaultNow(),
  },
  (t) => [index("processed_events_processed_at_idx").on(t.processedAt)],
);
