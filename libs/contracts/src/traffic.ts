import { z } from "zod";
import { IntegrationType } from "./enums.ts";

/**
 * Passive health: message traffic reported by interface engines and platform services (issue 14).
 *
 * A report covers one window of at most one minute (`windowSeconds` 1..60) that starts inside one UTC minute; the
 * read model adds it to that minute. Counters are non-negative integers; `queued` and `oldestQueuedAgeSeconds` are
 * gauges at the end of the window (roll-ups keep their maximum). Duplicate reports (same integration, windowStart
 * and source) are stored once: the first one wins.
 */
export const TRAFFIC_BATCH_MAX = 1000;
/** How far in the future a windowStart may lie (reporter clock skew). */
export const TRAFFIC_MAX_FUTURE_MS = 5 * 60_000;

const counter = z.number().int().nonnegative().max(1_000_000_000);

export const TrafficAcks = z.strictObject({
  AA: counter.optional(),
  AE: counter.optional(),
  AR: counter.optional(),
  CA: counter.optional(),
  CE: counter.optional(),
  CR: counter.optional(),
});
export type TrafficAcks = z.infer<typeof TrafficAcks>;

export const TrafficReport = z.strictObject({
  integrationId: z.uuid(),
  windowStart: z.iso.datetime({ offset: true }),
  windowSeconds: z.number().int().min(1).max(60),
  received: counter,
  filtered: counter,
  sent: counter,
  errored: counter,
  queued: counter,
  oldestQueuedAgeSeconds: counter.optional(),
  acks: TrafficAcks.optional(),
  /** Who reports (engine instance, channel). Part of the idempotency key; HTTP defaults to the token subject. */
  source: z.string().trim().min(1).max(200).optional(),
});
export type TrafficReport = z.infer<typeof TrafficReport>;

/** `POST /api/integration/traffic` body. All or nothing: one bad report rejects the batch (400 naming it). */
export const TrafficBatchBody = z.strictObject({
  reports: z.array(TrafficReport).min(1).max(TRAFFIC_BATCH_MAX),
});
export type TrafficBatchBody = z.infer<typeof TrafficBatchBody>;

export const TrafficBatchResult = z.object({
  /** Reports stored for the first time. */
  accepted: z.number().int().nonnegative(),
  /** Reports already stored (same integration, windowStart and source) and ignored. */
  duplicates: z.number().int().nonnegative(),
});
export type TrafficBatchResult = z.infer<typeof TrafficBatchResult>;

/**
 * Optional per-integration expectations on the integration record. `fixed` uses the thresholds given; `baseline`
 * learns the expected volume per hour-of-week slot from the last four weeks (the given thresholds, if any, still
 * apply to errors and queues). An omitted threshold disables that check in `fixed` mode.
 */
export const TrafficExpectations = z
  .strictObject({
    mode: z.enum(["fixed", "baseline"]),
    /** Silent feed: fewer messages (per window max of received, sent) than this in the last hour. */
    minMessagesPerHour: z.number().int().min(1).max(10_000_000).optional(),
    /** Error spike: (errored + negative ACKs) / max(received, sent) over the last 5 minutes, %. */
    maxErrorRatePercent: z.number().min(0).max(100).optional(),
    /** Queue backlog: the oldest queued message is older than this. */
    maxQueuedAgeSeconds: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .optional(),
    /** Queue backlog: more messages queued than this. */
    maxQueued: z.number().int().min(1).max(1_000_000_000).optional(),
    /** Silent feed: no received or sent message for this long (fixed mode; the floor in baseline mode). */
    silenceMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 1440)
      .optional(),
  })
  .refine(
    (e) =>
      e.mode === "baseline" ||
      [
        e.minMessagesPerHour,
        e.maxErrorRatePercent,
        e.maxQueuedAgeSeconds,
        e.maxQueued,
        e.silenceMinutes,
      ].some((v) => v !== undefined),
    { path: ["mode"], message: "fixed mode needs at least one threshold" },
  );
export type TrafficExpectations = z.infer<typeof TrafficExpectations>;

export const TrafficAnomalyKind = z.enum(["SILENT_FEED", "ERROR_SPIKE", "QUEUE_BACKLOG"]);
export type TrafficAnomalyKind = z.infer<typeof TrafficAnomalyKind>;

/** What the detector saw and what it expected, for the kind at hand (fields not relevant to it are null). */
export const TrafficObservation = z.object({
  messagesLastHour: z.number().nonnegative().nullable(),
  silentMinutes: z.number().nonnegative().nullable(),
  errorRatePercent: z.number().nonnegative().nullable(),
  queued: z.number().nonnegative().nullable(),
  oldestQueuedAgeSeconds: z.number().nonnegative().nullable(),
});
export type TrafficObservation = z.infer<typeof TrafficObservation>;

export const TrafficExpectation = z.object({
  mode: z.enum(["fixed", "baseline"]),
  minMessagesPerHour: z.number().nonnegative().nullable(),
  silenceMinutes: z.number().nonnegative().nullable(),
  maxErrorRatePercent: z.number().nonnegative().nullable(),
  maxQueued: z.number().nonnegative().nullable(),
  maxQueuedAgeSeconds: z.number().nonnegative().nullable(),
});
export type TrafficExpectation = z.infer<typeof TrafficExpectation>;

/** `data` of `integration.traffic_anomaly` (status topic, source /hip/stats-service). */
export const TrafficAnomalyData = z.object({
  anomalyId: z.uuid(),
  integrationId: z.uuid(),
  integrationName: z.string(),
  integrationType: IntegrationType,
  kind: TrafficAnomalyKind,
  state: z.enum(["opened", "resolved"]),
  /** When the condition started (e.g. the last message before a silence), not when it was detected. */
  since: z.iso.datetime(),
  detectedAt: z.iso.datetime(),
  resolvedAt: z.iso.datetime().nullable(),
  observed: TrafficObservation,
  expected: TrafficExpectation,
});
export type TrafficAnomalyData = z.infer<typeof TrafficAnomalyData>;

/** `GET /stats/integrations/:id/traffic?from&to&bucket` */
export const TrafficBucket = z.enum(["minute", "hour"]);
export type TrafficBucket = z.infer<typeof TrafficBucket>;

export const TrafficQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  bucket: TrafficBucket.default("minute"),
});
export type TrafficQuery = z.infer<typeof TrafficQuery>;

export const TrafficPoint = z.object({
  t: z.iso.datetime(),
  received: z.number().int().nonnegative(),
  filtered: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  errored: z.number().int().nonnegative(),
  negativeAcks: z.number().int().nonnegative(),
  queuedMax: z.number().int().nonnegative().nullable(),
  oldestQueuedAgeSecondsMax: z.number().int().nonnegative().nullable(),
  reports: z.number().int().nonnegative(),
});
export type TrafficPoint = z.infer<typeof TrafficPoint>;

export const TrafficSeries = z.object({
  integrationId: z.uuid(),
  bucket: TrafficBucket,
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Every bucket of [from, to) is present (zeros when nothing was reported). */
  points: z.array(TrafficPoint),
  /** Anomalies open now. */
  openAnomalies: z.array(
    z.object({ kind: TrafficAnomalyKind, since: z.iso.datetime(), detectedAt: z.iso.datetime() }),
  ),
});
export type TrafficSeries = z.infer<typeof TrafficSeries>;

/** Traffic totals in `/stats` and `/stats/integrations/:id` (last 24 h). */
export const TrafficTotals = z.object({
  received24h: z.number().int().nonnegative(),
  sent24h: z.number().int().nonnegative(),
  errored24h: z.number().int().nonnegative(),
  negativeAcks24h: z.number().int().nonnegative(),
  /** (errored + negative ACKs) / max(received, sent), percent; null without traffic. */
  errorRate24h: z.number().min(0).nullable(),
});
export type TrafficTotals = z.infer<typeof TrafficTotals>;
