import { z } from "zod";
import { IntegrationStatus, IntegrationType } from "./enums.ts";
import { TrafficAnomalyKind, TrafficTotals } from "./traffic.ts";

/**
 * Stats-service response shapes (base `/api/integration`, port 3003). Every answer is scoped to the caller's tenant.
 *
 * Units: latencies in milliseconds; rates and uptimes are PERCENTAGES 0..100 (null when there were no checks in the
 * window, so "no data" is never shown as 0 % or 100 %). Uptime = successful checks / all checks in the window
 * (check-based). Percentiles come from fixed log-spaced histogram buckets: the value reported is the upper bound of
 * the bucket holding the rank, so it is never below the exact percentile and at most ~12.2 % above it
 * (see STATS_LATENCY_BUCKET_GROWTH), and always clamped to the maximum observed latency.
 */

/** Ratio between consecutive latency bucket bounds; bounds the relative error of every reported percentile. */
export const STATS_LATENCY_BUCKET_GROWTH = 1.122;

const countsByType = z.record(IntegrationType, z.number().int().nonnegative());
const countsByStatus = z.record(IntegrationStatus, z.number().int().nonnegative());

/** `GET /stats` */
export const StatsSummary = z.object({
  total: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  inactive: z.number().int().nonnegative(),
  error: z.number().int().nonnegative(),
  testing: z.number().int().nonnegative(),
  /** Every IntegrationType key is present (0 when none). */
  byType: countsByType,
  /** Every IntegrationStatus key is present (0 when none). */
  byStatus: countsByStatus,
  /** Newest successful check across the tenant's integrations (the seed's "last sync"). */
  lastSyncedAt: z.iso.datetime().nullable(),
  performance: z.object({
    checks24h: z.number().int().nonnegative(),
    /** Percentage 0..100; null without checks in the last 24 h. */
    successRate24h: z.number().min(0).max(100).nullable(),
    /** The same without the checks inside maintenance windows (planned work); null when none are left. */
    successRate24hExcludingMaintenance: z.number().min(0).max(100).nullable(),
    /** Checks of the last 24 h that fell inside maintenance windows. */
    maintenanceChecks24h: z.number().int().nonnegative(),
    avgLatencyMs: z.number().nonnegative().nullable(),
    p95LatencyMs: z.number().nonnegative().nullable(),
  }),
  /** Age of the read model: time of the newest event applied (any tenant); null before the first event. */
  freshAsOf: z.iso.datetime().nullable(),
  /** Reported message traffic over the last 24 hour buckets (issue 14). */
  traffic: TrafficTotals,
});
export type StatsSummary = z.infer<typeof StatsSummary>;

export const LatencyPercentiles = z.object({
  p50: z.number().nonnegative().nullable(),
  p95: z.number().nonnegative().nullable(),
  p99: z.number().nonnegative().nullable(),
});
export type LatencyPercentiles = z.infer<typeof LatencyPercentiles>;

export const RecentCheck = z.object({
  /** The probe event id (also the SSE id of its `probe` stream message). */
  eventId: z.uuid(),
  checkedAt: z.iso.datetime(),
  success: z.boolean(),
  latencyMs: z.number().nonnegative(),
  trigger: z.enum(["manual", "scheduled"]),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
});
export type RecentCheck = z.infer<typeof RecentCheck>;

/**
 * One row of the current view: what a dashboard list row needs. `GET /stats/integrations?ids=a,b,c` returns these
 * (unknown or other-tenant ids are simply absent; deleted integrations are absent too).
 */
export const IntegrationCurrentView = z.object({
  integrationId: z.uuid(),
  name: z.string(),
  type: IntegrationType,
  provider: z.string().nullable(),
  status: IntegrationStatus,
  /** When the integration entered `status` (time of the event that set it). */
  statusSince: z.iso.datetime().nullable(),
  lastCheckAt: z.iso.datetime().nullable(),
  lastCheckSuccess: z.boolean().nullable(),
  lastSuccessAt: z.iso.datetime().nullable(),
  lastErrorAt: z.iso.datetime().nullable(),
  lastError: z.string().nullable(),
  lastLatencyMs: z.number().nonnegative().nullable(),
  /** Percentage 0..100 over the last 24 h; null without checks. */
  uptime24h: z.number().min(0).max(100).nullable(),
  checks24h: z.number().int().nonnegative(),
  /** Traffic anomalies open now (issue 14): list badges "silent", "error spike", "backlog". */
  trafficAnomalies: z.array(TrafficAnomalyKind),
});
export type IntegrationCurrentView = z.infer<typeof IntegrationCurrentView>;

export const IntegrationCurrentViewList = z.object({ data: z.array(IntegrationCurrentView) });
export type IntegrationCurrentViewList = z.infer<typeof IntegrationCurrentViewList>;

/** Query of `GET /stats/integrations`: comma-separated integration ids, at most 200. */
export const IntegrationCurrentViewQuery = z.object({
  ids: z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x.length > 0),
    )
    .pipe(z.array(z.uuid()).min(1).max(200)),
});
export type IntegrationCurrentViewQuery = z.infer<typeof IntegrationCurrentViewQuery>;

/** `GET /stats/integrations/:id` */
export const IntegrationStats = IntegrationCurrentView.extend({
  /** Seconds since `statusSince` at answer time; null when unknown. */
  timeInCurrentStateSeconds: z.number().int().nonnegative().nullable(),
  uptime: z.object({
    h24: z.number().min(0).max(100).nullable(),
    d7: z.number().min(0).max(100).nullable(),
    d30: z.number().min(0).max(100).nullable(),
  }),
  /** Uptime without the checks inside maintenance windows (to the minute), for SLA figures. */
  uptimeExcludingMaintenance: z.object({
    h24: z.number().min(0).max(100).nullable(),
    d7: z.number().min(0).max(100).nullable(),
    d30: z.number().min(0).max(100).nullable(),
  }),
  checks: z.object({
    h24: z.number().int().nonnegative(),
    d7: z.number().int().nonnegative(),
    d30: z.number().int().nonnegative(),
  }),
  /** Checks inside maintenance windows. */
  maintenanceChecks: z.object({
    h24: z.number().int().nonnegative(),
    d7: z.number().int().nonnegative(),
    d30: z.number().int().nonnegative(),
  }),
  /** Latency percentiles over the last 24 h. */
  latency24h: LatencyPercentiles,
  /** Latency percentiles over the last 7 days. */
  latency7d: LatencyPercentiles,
  /** Newest first, at most 20 (raw checks are kept RETENTION_RAW_DAYS). */
  recentChecks: z.array(RecentCheck),
  /** Reported message traffic over the last 24 hour buckets (issue 14). */
  traffic: TrafficTotals,
});
export type IntegrationStats = z.infer<typeof IntegrationStats>;

export const TimeseriesBucket = z.enum(["minute", "hour", "day"]);
export type TimeseriesBucket = z.infer<typeof TimeseriesBucket>;

/**
 * Query of `GET /stats/timeseries`. `from` defaults to `to` minus 24 h, `to` to now, `bucket` to hour.
 * At most 1,500 buckets per answer (400 VALIDATION otherwise).
 */
export const TimeseriesQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  bucket: TimeseriesBucket.default("hour"),
  type: IntegrationType.optional(),
  integrationId: z.uuid().optional(),
});
export type TimeseriesQuery = z.infer<typeof TimeseriesQuery>;

export const TimeseriesPoint = z.object({
  /** Bucket start (UTC). Buckets without checks are present with zero counts and null latencies. */
  t: z.iso.datetime(),
  checks: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  avgLatencyMs: z.number().nonnegative().nullable(),
  p50LatencyMs: z.number().nonnegative().nullable(),
  p95LatencyMs: z.number().nonnegative().nullable(),
  p99LatencyMs: z.number().nonnegative().nullable(),
});
export type TimeseriesPoint = z.infer<typeof TimeseriesPoint>;

/** `GET /stats/timeseries` */
export const Timeseries = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  bucket: TimeseriesBucket,
  type: IntegrationType.nullable(),
  integrationId: z.uuid().nullable(),
  points: z.array(TimeseriesPoint),
});
export type Timeseries = z.infer<typeof Timeseries>;

/*
 * `GET /stats/stream` (text/event-stream). Each message: `id:` = the source CloudEvent id (send it back as
 * `Last-Event-ID` to resume), `event:` = the payload's `type`, `data:` = the JSON payload below.
 * A `: heartbeat` comment is sent every 15 s. Browsers may pass the JWT as `?access_token=` (this route only).
 * When the server cannot resume from Last-Event-ID (too old / unknown), it sends one `reset` message first: the
 * client should refetch its snapshot (GET /stats, GET /stats/integrations?ids=). At the token's `exp` the server
 * sends one `reauthenticate` message and closes the stream.
 */

export const StreamStatusChanged = z.object({
  type: z.literal("status"),
  eventId: z.uuid(),
  integrationId: z.uuid(),
  from: IntegrationStatus,
  to: IntegrationStatus,
  reason: z.string(),
  lastError: z.string().nullable(),
  at: z.iso.datetime(),
});
export type StreamStatusChanged = z.infer<typeof StreamStatusChanged>;

export const StreamProbeResult = z.object({
  type: z.literal("probe"),
  eventId: z.uuid(),
  integrationId: z.uuid(),
  integrationType: IntegrationType,
  success: z.boolean(),
  latencyMs: z.number().nonnegative(),
  trigger: z.enum(["manual", "scheduled"]),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  checkedAt: z.iso.datetime(),
});
export type StreamProbeResult = z.infer<typeof StreamProbeResult>;

export const StreamIntegrationChanged = z.object({
  type: z.literal("integration"),
  eventId: z.uuid(),
  integrationId: z.uuid(),
  action: z.enum(["created", "updated", "deleted"]),
  name: z.string(),
  integrationType: IntegrationType,
  /** Null for deletions. */
  status: IntegrationStatus.nullable(),
  at: z.iso.datetime(),
});
export type StreamIntegrationChanged = z.infer<typeof StreamIntegrationChanged>;

export const StreamReset = z.object({
  type: z.literal("reset"),
  reason: z.enum(["unknown_last_event_id"]),
});
export type StreamReset = z.infer<typeof StreamReset>;

/**
 * The last message of a stream whose token expired: the server closes the stream right after it. The client must
 * get a fresh token and reconnect (with Last-Event-ID); reconnecting with the old token answers 401.
 */
export const StreamReauthenticate = z.object({
  type: z.literal("reauthenticate"),
  reason: z.literal("token_expired"),
  expiredAt: z.iso.datetime(),
});
export type StreamReauthenticate = z.infer<typeof StreamReauthenticate>;

export const StatsStreamEvent = z.discriminatedUnion("type", [
  StreamStatusChanged,
  StreamProbeResult,
  StreamIntegrationChanged,
  StreamReset,
  StreamReauthenticate,
]);
export type StatsStreamEvent = z.infer<typeof StatsStreamEvent>;
