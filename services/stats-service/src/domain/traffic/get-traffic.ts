import type { TrafficAnomalyKind, TrafficQuery, TrafficSeries, TrafficTotals } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import type pg from "pg";
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from "../projection/rollups.ts";

const MAX_POINTS = 1500;

interface TrafficRow {
  bucket: Date;
  received: number;
  filtered: number;
  sent: number;
  errored: number;
  negative_acks: number;
  queued_max: number | null;
  oldest_age_max: number | null;
  reports: number;
}

/** GET /stats/integrations/:id/traffic: every bucket of [from, to) (UTC), zeros where nothing was reported. */
export async function getTrafficSeries(args: {
  pool: pg.Pool;
  tenantId: string;
  integrationId: string;
  query: TrafficQuery;
  now?: number;
}): Promise<TrafficSeries> {
  const q = args.query;
  const step = q.bucket === "minute" ? MINUTE_MS : HOUR_MS;
  const to = q.to ? Date.parse(q.to) : (args.now ?? Date.now());
  const from = q.from ? Date.parse(q.from) : to - (q.bucket === "minute" ? 3 * HOUR_MS : 7 * DAY_MS);
  if (!(from < to)) {
    throw DomainError.validation([{ field: "from", rule: "before_to", message: "from must be before to" }]);
  }
  const first = floorTo(from, step);
  const count = Math.ceil((to - first) / step);
  if (count > MAX_POINTS) {
    throw DomainError.validation([
      {
        field: "bucket",
        rule: "max_points",
        message: `at most ${MAX_POINTS} buckets per request (asked ${count})`,
      },
    ]);
  }
  const own = await args.pool.query(
    "SELECT 1 FROM stats.integrations WHERE integration_id = $1 AND tenant_id = $2 AND known AND deleted_at IS NULL",
    [args.integrationId, args.tenantId],
  );
  if (own.rowCount === 0) throw DomainError.notFound("Integration");
  const [series, open] = await Promise.all([
    args.pool.query<TrafficRow>(
      `SELECT bucket, received, filtered, sent, errored, negative_acks, queued_max, oldest_age_max, reports
       FROM stats.traffic_${q.bucket} WHERE integration_id = $1 AND bucket >= $2 AND bucket < $3`,
      [args.integrationId, new Date(first).toISOString(), new Date(to).toISOString()],
    ),
    args.pool.query<{ kind: TrafficAnomalyKind; since: Date; detected_at: Date }>(
      `SELECT kind, since, detected_at FROM stats.traffic_anomalies
       WHERE integration_id = $1 AND resolved_at IS NULL ORDER BY detected_at`,
      [args.integrationId],
    ),
  ]);
  const byBucket = new Map(series.rows.map((r) => [r.bucket.getTime(), r]));
  const points: TrafficSeries["points"] = [];
  for (let t = first; t < to; t += step) {
    const r = byBucket.get(t);
    points.push({
      t: new Date(t).toISOString(),
      received: r?.received ?? 0,
      filtered: r?.filtered ?? 0,
      sent: r?.sent ?? 0,
      errored: r?.errored ?? 0,
      negativeAcks: r?.negative_acks ?? 0,
      queuedMax: r?.queued_max ?? null,
      oldestQueuedAgeSecondsMax: r?.oldest_age_max ?? null,
      reports: r?.reports ?? 0,
    });
  }
  return {
    integrationId: args.integrationId,
    bucket: q.bucket,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    points,
    openAnomalies: open.rows.map((a) => ({
      kind: a.kind,
      since: a.since.toISOString(),
      detectedAt: a.detected_at.toISOString(),
    })),
  };
}

/** (errored + negative ACKs) / max(received, sent) in percent (a forwarded message is one message, as the detector counts), rounded to 0.01; null without traffic. */
export function errorRate(t: {
  received: number;
  sent: number;
  errored: number;
  negativeAcks: number;
}): number | null {
  const volume = Math.max(t.received, t.sent);
  if (volume === 0) return null;
  return Math.round(((t.errored + t.negativeAcks) / volume) * 10_000) / 100;
}

/**
 * Traffic of the last 24 hour buckets (the current one included, so up to 1 h more than 24 h): from the
 * tenant-hour roll-up for a tenant, the hour roll-up for one integration. Cost depends on the window only.
 */
export async function getTrafficTotals(args: {
  pool: pg.Pool;
  tenantId: string;
  integrationId?: string;
  now?: number;
}): Promise<TrafficTotals> {
  const now = args.now ?? Date.now();
  const since = new Date(floorTo(now, HOUR_MS) - 23 * HOUR_MS).toISOString();
  const { rows } = args.integrationId
    ? await args.pool.query<{ received: number; sent: number; errored: number; negative_acks: number }>(
        `SELECT coalesce(sum(received), 0)::bigint AS received, coalesce(sum(sent), 0)::bigint AS sent,
           coalesce(sum(errored), 0)::bigint AS errored, coalesce(sum(negative_acks), 0)::bigint AS negative_acks
         FROM stats.traffic_hour WHERE integration_id = $1 AND tenant_id = $2 AND bucket >= $3`,
        [args.integrationId, args.tenantId, since],
      )
    : await args.pool.query<{ received: number; sent: number; errored: number; negative_acks: number }>(
        `SELECT coalesce(sum(received), 0)::bigint AS received, coalesce(sum(sent), 0)::bigint AS sent,
           coalesce(sum(errored), 0)::bigint AS errored, coalesce(sum(negative_acks), 0)::bigint AS negative_acks
         FROM stats.tenant_traffic_hour WHERE tenant_id = $1 AND bucket >= $2`,
        [args.tenantId, since],
      );
  const r = rows[0] ?? { received: 0, sent: 0, errored: 0, negative_acks: 0 };
  const t = { received: r.received, sent: r.sent, errored: r.errored, negativeAcks: r.negative_acks };
  return {
    received24h: t.received,
    sent24h: t.sent,
    errored24h: t.errored,
    negativeAcks24h: t.negativeAcks,
    errorRate24h: errorRate(t),
  };
}

/** Open anomaly kinds per integration (list badges, `trafficAnomalies` of the current view). */
export async function openAnomalyKinds(
  pool: pg.Pool,
  ids: string[],
): Promise<Map<string, TrafficAnomalyKind[]>> {
  const out = new Map<string, TrafficAnomalyKind[]>();
  if (ids.length === 0) return out;
  const { rows } = await pool.query<{ integration_id: string; kind: TrafficAnomalyKind }>(
    `SELECT integration_id, kind FROM stats.traffic_anomalies
     WHERE integration_id = ANY($1::uuid[]) AND resolved_at IS NULL ORDER BY integration_id, kind`,
    [ids],
  );
  for (const r of rows) out.set(r.integration_id, [...(out.get(r.integration_id) ?? []), r.kind]);
  return out;
}
