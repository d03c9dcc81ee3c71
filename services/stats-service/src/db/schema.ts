import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";

/** Everything the stats-service owns lives in pg schema `stats`; it never reads another service's schema. */
export const stats = pgSchema("stats");

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: "string" });

/** Event ids already applied: the dedupe wall that makes at-least-once delivery count each event once. */
export const processedEvents = stats.table(
  "processed_events",
  {
    eventId: uuid("event_id").primaryKey(),
    processedAt: tz("processed_at").notNull().defaultNow(),
  },
  (t) => [index("processed_events_processed_at_idx").on(t.processedAt)],
);

/**
 * Last sequence applied per (integration, event source): config-state fields only move forward. Snapshot and
 * status fields are gated separately because status_changed travels on the status topic while snapshots travel
 * on the config topic: a rebuild may see them in either order and must still converge.
 */
export const appliedSequences = stats.table(
  "applied_sequences",
  {
    integrationId: uuid("integration_id").notNull(),
    source: text("source").notNull(),
    /** Highest sequence applied from this source (any field). */
    sequence: bigint("sequence", { mode: "number" }).notNull(),
    /** Highest sequence whose snapshot (name, type, provider, deletion) was applied. */
    snapshotSequence: bigint("snapshot_sequence", { mode: "number" }),
    /** Highest sequence whose status was applied (snapshots and status_changed both carry a status). */
    statusSequence: bigint("status_sequence", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.source] })],
);

/**
 * Current view, one row per integration. `known` = a created/updated snapshot was applied (probe results may
 * arrive first and create an unknown row). Deletion is a tombstone (`deleted_at`), so an older update can never
 * resurrect it; tombstoned and unknown rows leave every count.
 */
export const integrations = stats.table(
  "integrations",
  {
    integrationId: uuid("integration_id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    known: boolean("known").notNull().default(false),
    name: text("name").notNull().default(""),
    type: text("type").notNull(),
    provider: text("provider"),
    status: text("status").notNull().default("INACTIVE"),
    statusSince: tz("status_since"),
    deletedAt: tz("deleted_at"),
    lastCheckAt: tz("last_check_at"),
    lastCheckSuccess: boolean("last_check_success"),
    lastLatencyMs: doublePrecision("last_latency_ms"),
    lastSuccessAt: tz("last_success_at"),
    lastErrorAt: tz("last_error_at"),
    lastError: text("last_error"),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("integrations_tenant_idx").on(t.tenantId, t.integrationId)],
);

/** Per-tenant live counts by (status, type), maintained incrementally so GET /stats never scans integrations. */
export const tenantCounts = stats.table(
  "tenant_counts",
  {
    tenantId: text("tenant_id").notNull(),
    status: text("status").notNull(),
    type: text("type").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.status, t.type] })],
);

export const tenantState = stats.table("tenant_state", {
  tenantId: text("tenant_id").primaryKey(),
  lastSyncedAt: tz("last_synced_at"),
});

/** Single row (id = 1): freshness of the read model. */
export const projectionState = stats.table("projection_state", {
  id: smallint("id").primaryKey(),
  newestEventAt: tz("newest_event_at"),
  eventsApplied: bigint("events_applied", { mode: "number" }).notNull().default(0),
  updatedAt: tz("updated_at").notNull().defaultNow(),
});

/** Raw probe results, kept RETENTION_RAW_DAYS. */
export const checks = stats.table(
  "checks",
  {
    eventId: uuid("event_id").primaryKey(),
    integrationId: uuid("integration_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    type: text("type").notNull(),
    checkedAt: tz("checked_at").notNull(),
    success: boolean("success").notNull(),
    latencyMs: doublePrecision("latency_ms").notNull(),
    trigger: text("trigger").notNull(),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
  },
  (t) => [
    index("checks_integration_time_idx").on(t.integrationId, t.checkedAt.desc()),
    index("checks_checked_at_idx").on(t.checkedAt),
  ],
);

const rollupColumns = {
  bucket: tz("bucket").notNull(),
  count: integer("count").notNull(),
  successes: integer("successes").notNull(),
  failures: integer("failures").notNull(),
  latencySum: doublePrecision("latency_sum").notNull(),
  latencyMax: doublePrecision("latency_max").notNull(),
  /** Counts per fixed log-spaced latency bucket (src/domain/histogram.ts); merged by element-wise addition. */
  hist: integer("hist").array().notNull(),
};

const integrationRollup = (name: string) =>
  stats.table(
    name,
    {
      integrationId: uuid("integration_id").notNull(),
      tenantId: text("tenant_id").notNull(),
      ...rollupColumns,
    },
    (t) => [primaryKey({ columns: [t.integrationId, t.bucket] }), index(`${name}_bucket_idx`).on(t.bucket)],
  );

const tenantRollup = (name: string) =>
  stats.table(
    name,
    { tenantId: text("tenant_id").notNull(), type: text("type").notNull(), ...rollupColumns },
    (t) => [
      primaryKey({ columns: [t.tenantId, t.bucket, t.type] }),
      index(`${name}_bucket_idx`).on(t.bucket),
    ],
  );

export const rollupMinute = integrationRollup("rollup_minute");
export const rollupHour = integrationRollup("rollup_hour");
export const tenantRollupMinute = tenantRollup("tenant_rollup_minute");
export const tenantRollupHour = tenantRollup("tenant_rollup_hour");

/**
 * Maintenance occurrences announced by the alert service (`maintenance.occurrence`, docs/decisions/0512): the
 * intervals uptime "excluding maintenance" leaves out. Keyed by (window, start); a later event with a higher
 * sequence (an edit or delete while running) replaces the end.
 */
export const maintenanceIntervals = stats.table(
  "maintenance_intervals",
  {
    windowId: uuid("window_id").notNull(),
    startsAt: tz("starts_at").notNull(),
    endsAt: tz("ends_at").notNull(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    /** `{ scope: "tenant" } | { scope: "types", types } | { scope: "integrations", ids }` */
    scope: jsonb("scope").$type<Record<string, unknown>>().notNull(),
    sequence: bigint("sequence", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.windowId, t.startsAt] }),
    index("maintenance_intervals_tenant_idx").on(t.tenantId, t.startsAt),
  ],
);

/** Every read-model table, in truncation order for `rebuild`. */
export const READ_MODEL_TABLES = [
  "processed_events",
  "applied_sequences",
  "integrations",
  "tenant_counts",
  "tenant_state",
  "projection_state",
  "checks",
  "rollup_minute",
  "rollup_hour",
  "tenant_rollup_minute",
  "tenant_rollup_hour",
] as const;
