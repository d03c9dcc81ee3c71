import { type FieldIssue, TRAFFIC_MAX_FUTURE_MS, type TrafficReport } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import type pg from "pg";
import { inTransaction } from "../../db/client.ts";
import { SqlBatch } from "../projection/sql-batch.ts";

/** A report with its reporter resolved (HTTP: body `source` or token subject; Kafka: CloudEvent `source`). */
export interface SourcedReport extends Omit<TrafficReport, "source"> {
  source: string;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** Stored reports per integration type (metrics). */
  byType: Map<
    string,
    { reports: number; received: number; sent: number; errored: number; negativeAcks: number }
  >;
}

export interface KnownIntegration {
  tenantId: string;
  type: string;
}

export const negativeAcks = (r: Pick<TrafficReport, "acks">): number =>
  (r.acks?.AE ?? 0) + (r.acks?.AR ?? 0) + (r.acks?.CE ?? 0) + (r.acks?.CR ?? 0);

/** Integrations the read model knows (created, not deleted), by id. */
export async function knownIntegrations(
  pool: pg.Pool,
  ids: string[],
): Promise<Map<string, KnownIntegration>> {
  const res = await pool.query<{ integration_id: string; tenant_id: string; type: string }>(
    `SELECT integration_id, tenant_id, type FROM stats.integrations
     WHERE integration_id = ANY($1::uuid[]) AND known AND deleted_at IS NULL`,
    [[...new Set(ids)]],
  );
  return new Map(res.rows.map((r) => [r.integration_id, { tenantId: r.tenant_id, type: r.type }]));
}

/** Reports older than this are refused: duplicates are recognised for as long as raw reports are kept. */
export const DEFAULT_MAX_REPORT_AGE_MS = 48 * 3_600_000;

/**
 * What is wrong with one report beyond its schema: the integration must be known and the caller's tenant's (else
 * `not_found`, like every other tenant's id), the window must start at most 5 minutes ahead of `now` and not
 * before the raw-report retention (so a late duplicate can still be recognised).
 */
export function checkReport(
  r: SourcedReport,
  tenantId: string,
  known: Map<string, KnownIntegration>,
  now: number,
  prefix: string,
  maxAgeMs = DEFAULT_MAX_REPORT_AGE_MS,
): FieldIssue | null {
  const owner = known.get(r.integrationId);
  if (!owner || owner.tenantId !== tenantId) {
    return { field: `${prefix}integrationId`, rule: "not_found", message: "integration not found" };
  }
  if (Date.parse(r.windowStart) > now + TRAFFIC_MAX_FUTURE_MS) {
    return {
      field: `${prefix}windowStart`,
      rule: "future",
      message: "windowStart must be at most 5 minutes in the future",
    };
  }
  if (Date.parse(r.windowStart) < now - maxAgeMs) {
    return {
      field: `${prefix}windowStart`,
      rule: "too_old",
      message: `windowStart must be within the last ${Math.round(maxAgeMs / 3_600_000)} hours`,
    };
  }
  return null;
}

/**
 * HTTP ingest: all or nothing. Every report is checked first (the first bad one names its field: 404 for an
 * unknown or other tenant's integration, 400 otherwise); then the batch is stored in one transaction.
 */
export async function ingestTrafficBatch(args: {
  pool: pg.Pool;
  tenantId: string;
  reports: SourcedReport[];
  now?: number;
  maxAgeMs?: number;
}): Promise<IngestResult> {
  const now = args.now ?? Date.now();
  const known = await knownIntegrations(
    args.pool,
    args.reports.map((r) => r.integrationId),
  );
  const issues: FieldIssue[] = [];
  args.reports.forEach((r, i) => {
    const issue = checkReport(r, args.tenantId, known, now, `reports.${i}.`, args.maxAgeMs);
    if (issue) issues.push(issue);
  });
  const notFound = issues.find((i) => i.rule === "not_found");
  if (notFound) {
    throw new DomainError("NOT_FOUND", `${notFound.field}: integration not found`, { details: [notFound] });
  }
  if (issues.length > 0) throw DomainError.validation(issues);
  return storeReports(args.pool, args.reports, known);
}

/**
 * Stores reports once per (integration, windowStart, source) and adds only the newly stored ones to the minute,
 * hour and tenant-hour roll-ups and to the detector's last-activity mark, in one statement of one transaction.
 * A repeated report (same key) changes nothing: the first one wins.
 */
export async function storeReports(
  pool: pg.Pool,
  reports: SourcedReport[],
  known: Map<string, KnownIntegration>,
): Promise<IngestResult> {
  const unique = new Map<string, SourcedReport>();
  for (const r of reports) {
    const key = `${r.integrationId}|${Date.parse(r.windowStart)}|${r.source}`;
    if (!unique.has(key)) unique.set(key, r);
  }
  // Stable order (integration, window) so concurrent batches lock roll-up rows in the same order.
  const rows = [...unique.values()].sort((a, b) =>
    a.integrationId === b.integrationId
      ? Date.parse(a.windowStart) - Date.parse(b.windowStart)
      : a.integrationId < b.integrationId
        ? -1
        : 1,
  );
  const b = new SqlBatch();
  const col = <T>(f: (r: SourcedReport) => T, type: string) => b.p(rows.map(f), type);
  const text = `
    WITH input AS (
      SELECT * FROM unnest(
        ${col((r) => r.integrationId, "uuid[]")}, ${col((r) => new Date(r.windowStart).toISOString(), "timestamptz[]")},
        ${col((r) => r.source, "text[]")}, ${col((r) => known.get(r.integrationId)?.tenantId ?? "", "text[]")},
        ${col((r) => known.get(r.integrationId)?.type ?? "API", "text[]")}, ${col((r) => r.windowSeconds, "int[]")},
        ${col((r) => r.received, "bigint[]")}, ${col((r) => r.filtered, "bigint[]")}, ${col((r) => r.sent, "bigint[]")},
        ${col((r) => r.errored, "bigint[]")}, ${col((r) => r.queued, "bigint[]")},
        ${col((r) => r.oldestQueuedAgeSeconds ?? null, "bigint[]")}, ${col(negativeAcks, "bigint[]")},
        ${col((r) => (r.acks ? JSON.stringify(r.acks) : null), "jsonb[]")}
      ) AS t(integration_id, window_start, source, tenant_id, type, window_seconds, received, filtered, sent,
             errored, queued, oldest, negative_acks, acks)
    ), ins AS (
      INSERT INTO stats.traffic_reports (integration_id, window_start, source, tenant_id, window_seconds, received,
        filtered, sent, errored, queued, oldest_queued_age_seconds, negative_acks, acks)
      SELECT integration_id, window_start, source, tenant_id, window_seconds, received, filtered, sent, errored,
        queued, oldest, negative_acks, acks FROM input
      ON CONFLICT DO NOTHING
      RETURNING integration_id, window_start, source
    ), fresh AS (
      SELECT input.* FROM input JOIN ins USING (integration_id, window_start, source)
    ), minute AS (${MINUTE_ROLLUP}
    ), hour AS (${HOUR_ROLLUP}
    ), tenant_hour AS (
      INSERT INTO stats.tenant_traffic_hour AS t (tenant_id, type, bucket, received, filtered, sent, errored,
        negative_acks)
      SELECT tenant_id, type, date_trunc('hour', window_start), sum(received), sum(filtered), sum(sent),
        sum(errored), sum(negative_acks)
      FROM fresh GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, type, bucket) DO UPDATE SET
        received = t.received + excluded.received, filtered = t.filtered + excluded.filtered,
        sent = t.sent + excluded.sent, errored = t.errored + excluded.errored,
        negative_acks = t.negative_acks + excluded.negative_acks
    ), state AS (
      INSERT INTO stats.traffic_state AS t (integration_id, tenant_id, first_report_at, last_activity_at)
      SELECT integration_id, min(tenant_id), min(window_start),
        max(window_start + window_seconds * interval '1 second') FILTER (WHERE received + sent > 0)
      FROM fresh GROUP BY 1 ORDER BY 1
      ON CONFLICT (integration_id) DO UPDATE SET
        first_report_at = least(t.first_report_at, excluded.first_report_at),
        last_activity_at = greatest(t.last_activity_at, excluded.last_activity_at)
    )
    SELECT type, count(*)::int AS reports, sum(received)::bigint AS received, sum(sent)::bigint AS sent,
      sum(errored)::bigint AS errored, sum(negative_acks)::bigint AS negative_acks
    FROM fresh GROUP BY type`;
  const res = await inTransaction(pool, (client) =>
    client.query<{
      type: string;
      reports: number;
      received: number;
      sent: number;
      errored: number;
      negative_acks: number;
    }>(text, b.params),
  );
  const byType: IngestResult["byType"] = new Map();
  let accepted = 0;
  for (const r of res.rows) {
    accepted += r.reports;
    byType.set(r.type, {
      reports: r.reports,
      received: r.received,
      sent: r.sent,
      errored: r.errored,
      negativeAcks: r.negative_acks,
    });
  }
  return { accepted, duplicates: reports.length - accepted, byType };
}

/** The per-integration roll-up of the newly stored reports (`fresh`) into one bucket size; same columns, same merge. */
function rollupInto(table: "traffic_minute" | "traffic_hour", unit: "minute" | "hour"): string {
  return `
      INSERT INTO stats.${table} AS t (integration_id, bucket, tenant_id, received, filtered, sent, errored,
        negative_acks, queued_max, oldest_age_max, reports)
      SELECT integration_id, date_trunc('${unit}', window_start), min(tenant_id), sum(received), sum(filtered),
        sum(sent), sum(errored), sum(negative_acks), max(queued), max(oldest), count(*)
      FROM fresh GROUP BY 1, 2 ORDER BY 1, 2
      ON CONFLICT (integration_id, bucket) DO UPDATE SET
        received = t.received + excluded.received, filtered = t.filtered + excluded.filtered,
        sent = t.sent + excluded.sent, errored = t.errored + excluded.errored,
        negative_acks = t.negative_acks + excluded.negative_acks,
        queued_max = greatest(t.queued_max, excluded.queued_max),
        oldest_age_max = greatest(t.oldest_age_max, excluded.oldest_age_max), reports = t.reports + excluded.reports`;
}
const MINUTE_ROLLUP = rollupInto("traffic_minute", "minute");
const HOUR_ROLLUP = rollupInto("traffic_hour", "hour");
