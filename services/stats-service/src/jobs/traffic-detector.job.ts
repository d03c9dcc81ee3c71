import {
  type IntegrationType,
  type TopicNames,
  type TrafficAnomalyKind,
  TrafficExpectations,
} from "@hip/contracts";
import type { Logger } from "pino";
import type pg from "pg";
import { inTransaction } from "../db/client.ts";
import {
  type Baseline,
  BASELINE_WEEKS,
  buildBaseline,
  HOUR_MS,
  WEEK_MS,
} from "../domain/traffic/baseline.ts";
import {
  decide,
  ERROR_WINDOW_MINUTES,
  evaluate,
  MINUTE_MS,
  type MinuteSample,
  type Transition,
} from "../domain/traffic/detector.ts";
import { type JudgedRow, type OpenRow, recordTransition } from "../domain/traffic/record-transition.ts";
import type { TrafficMetrics } from "../metrics/traffic-metrics.ts";

/** One replica evaluates at a time (transaction-scoped advisory lock). */
const DETECTOR_LOCK = 3_003_014;
/** No minute row from any integration for this long = ingest is stalled (not the feeds): silences wait. */
const INGEST_STALL_MS = 3 * MINUTE_MS;

export interface TrafficDetectorOptions {
  pool: pg.Pool;
  metrics: TrafficMetrics;
  logger: Logger;
  topics: Pick<TopicNames, "status">;
  /** Injectable clock (tests drive ticks at chosen instants). */
  clock?: () => number;
  intervalMs: number;
  retention: { reportsHours: number; minuteDays: number; hourDays: number };
  /** After a tick committed events (the relay publishes them now instead of at its next poll). */
  onEvents?: () => void;
}

export interface TickResult {
  judged: number;
  opened: number;
  resolved: number;
}

/**
 * The clock tick of passive health: every `intervalMs`, evaluate every judged integration (expectations set, not
 * deleted) from stored roll-ups and detector state, and write each open/resolve with its event into the outbox in
 * the same transaction. Decisions come from stored state (the open anomalies table), so a restart, a second
 * replica or a repeated tick never duplicates an event. Also prunes traffic tables by retention.
 */
export class TrafficDetector {
  private readonly o: TrafficDetectorOptions;
  private readonly baselines = new Map<string, { hour: number; baseline: Baseline }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private lastPrune = 0;

  private readonly ctx: { statusTopic: string; metrics: TrafficMetrics };

  constructor(o: TrafficDetectorOptions) {
    this.o = o;
    this.ctx = { statusTopic: o.topics.status, metrics: o.metrics };
  }

  private now(): number {
    return this.o.clock?.() ?? Date.now();
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.o.logger.error({ err }, "traffic detector tick failed"))
        .finally(() => {
          this.running = null;
        });
    }, this.o.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One evaluation at the clock's now. Null when another replica holds the detector lock. */
  async tick(): Promise<TickResult | null> {
    const now = this.now();
    const end = this.o.metrics.tickDuration.startTimer();
    const result = await inTransaction(this.o.pool, async (client) => {
      const lock = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS ok", [
        DETECTOR_LOCK,
      ]);
      if (!lock.rows[0]?.ok) return null;
      return this.evaluateAll(client, now);
    });
    end();
    if (result && result.opened + result.resolved > 0) this.o.onEvents?.();
    if (result && now - this.lastPrune >= HOUR_MS) {
      this.lastPrune = now;
      await this.prune(now).catch((err: unknown) => this.o.logger.warn({ err }, "traffic prune failed"));
    }
    return result;
  }

  private async evaluateAll(client: pg.PoolClient, now: number): Promise<TickResult> {
    const minuteNow = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    // One client (the tick's transaction): queries run one after another.
    const judgedRes = await client.query<JudgedRow>(
      `SELECT s.integration_id, s.tenant_id, s.expectations, s.first_report_at, s.last_activity_at, i.name, i.type
         FROM stats.traffic_state s JOIN stats.integrations i USING (integration_id)
         WHERE s.expectations IS NOT NULL AND NOT s.deleted AND i.known AND i.deleted_at IS NULL
         ORDER BY s.integration_id`,
    );
    const openRes = await client.query<OpenRow>(
      `SELECT anomaly_id, integration_id, tenant_id, kind, since, detected_at, expected
         FROM stats.traffic_anomalies WHERE resolved_at IS NULL`,
    );
    const liveRes = await client.query<{ newest: Date | null }>(
      "SELECT max(bucket) AS newest FROM stats.traffic_minute WHERE bucket >= $1",
      [new Date(now - 10 * MINUTE_MS).toISOString()],
    );
    const ingestLive = (liveRes.rows[0]?.newest?.getTime() ?? 0) >= now - INGEST_STALL_MS - MINUTE_MS;
    const judged = judgedRes.rows.flatMap((r) => {
      const parsed = TrafficExpectations.safeParse(r.expectations);
      return parsed.success ? [{ row: r, expectations: parsed.data }] : [];
    });
    const ids = judged.map((j) => j.row.integration_id);
    const recent = await client.query<{
      integration_id: string;
      bucket: Date;
      received: number;
      sent: number;
      errored: number;
      negative_acks: number;
      queued_max: number | null;
      oldest_age_max: number | null;
    }>(
      `SELECT integration_id, bucket, received, sent, errored, negative_acks, queued_max, oldest_age_max
         FROM stats.traffic_minute WHERE integration_id = ANY($1::uuid[]) AND bucket >= $2 AND bucket <= $3`,
      [
        ids,
        new Date(minuteNow - (ERROR_WINDOW_MINUTES + 1) * MINUTE_MS).toISOString(),
        new Date(now).toISOString(),
      ],
    );
    const lastHour = await client.query<{ integration_id: string; messages: number }>(
      `SELECT integration_id, sum(greatest(received, sent))::bigint AS messages FROM stats.traffic_minute
         WHERE integration_id = ANY($1::uuid[]) AND bucket >= $2 AND bucket < $3 GROUP BY 1`,
      [
        judged
          .filter((j) => j.expectations.minMessagesPerHour !== undefined)
          .map((j) => j.row.integration_id),
        new Date(minuteNow - HOUR_MS).toISOString(),
        new Date(minuteNow).toISOString(),
      ],
    );
    const samples = new Map<string, MinuteSample[]>();
    for (const r of recent.rows) {
      const list = samples.get(r.integration_id) ?? [];
      list.push({
        t: r.bucket.getTime(),
        received: r.received,
        sent: r.sent,
        errored: r.errored,
        negativeAcks: r.negative_acks,
        queuedMax: r.queued_max,
        oldestAgeMax: r.oldest_age_max,
      });
      samples.set(r.integration_id, list);
    }
    const hourly = new Map(lastHour.rows.map((r) => [r.integration_id, r.messages]));
    const openBy = new Map<string, Map<TrafficAnomalyKind, OpenRow>>();
    for (const a of openRes.rows) {
      const m = openBy.get(a.integration_id) ?? new Map<TrafficAnomalyKind, OpenRow>();
      m.set(a.kind, a);
      openBy.set(a.integration_id, m);
    }
    await this.refreshBaselines(
      client,
      judged.filter((j) => j.expectations.mode === "baseline").map((j) => j.row),
      now,
    );

    let opened = 0;
    let resolved = 0;
    const judgedIds = new Set(ids);
    for (const { row, expectations } of judged) {
      const open = openBy.get(row.integration_id) ?? new Map<TrafficAnomalyKind, OpenRow>();
      const verdicts = evaluate({
        now,
        expectations,
        firstReportAt: row.first_report_at?.getTime() ?? null,
        lastActivityAt: row.last_activity_at?.getTime() ?? null,
        recent: samples.get(row.integration_id) ?? [],
        messagesLastHour: hourly.get(row.integration_id) ?? 0,
        baseline: this.baselines.get(row.integration_id)?.baseline ?? null,
        open: Object.fromEntries([...open].map(([k, a]) => [k, { expected: a.expected }])),
      });
      for (const t of decide(verdicts, new Set(open.keys()))) {
        // While ingest itself is stalled, silence says nothing about the feed: open no silent feed then.
        if (t.kind === "SILENT_FEED" && t.state === "opened" && !ingestLive) continue;
        if (await recordTransition(client, this.ctx, row, t, open.get(t.kind) ?? null, now)) {
          if (t.state === "opened") opened++;
          else resolved++;
        }
      }
    }
    // Open anomalies of integrations no longer judged (expectations cleared, deleted): resolved.
    for (const a of openRes.rows) {
      if (judgedIds.has(a.integration_id)) continue;
      const info = await client.query<{ name: string; type: IntegrationType }>(
        "SELECT name, type FROM stats.integrations WHERE integration_id = $1",
        [a.integration_id],
      );
      const row: JudgedRow = {
        integration_id: a.integration_id,
        tenant_id: a.tenant_id,
        expectations: null,
        first_report_at: null,
        last_activity_at: null,
        name: info.rows[0]?.name ?? "",
        type: info.rows[0]?.type ?? "API",
      };
      const t: Transition = {
        kind: a.kind,
        state: "resolved",
        since: a.since.getTime(),
        observed: {
          messagesLastHour: null,
          silentMinutes: null,
          errorRatePercent: null,
          queued: null,
          oldestQueuedAgeSeconds: null,
        },
        expected: a.expected,
      };
      if (await recordTransition(client, this.ctx, row, t, a, now)) resolved++;
    }
    await this.refreshGauge(client);
    return { judged: judged.length, opened, resolved };
  }

  /** Baselines are rebuilt once per hour per integration (they only change with whole hours). */
  private async refreshBaselines(client: pg.PoolClient, rows: JudgedRow[], now: number): Promise<void> {
    const hour = Math.floor(now / HOUR_MS);
    const stale = rows.filter(
      (r) => r.first_report_at && this.baselines.get(r.integration_id)?.hour !== hour,
    );
    if (stale.length === 0) return;
    const { rows: hours } = await client.query<{
      integration_id: string;
      bucket: Date;
      messages: number;
      errors: number;
    }>(
      `SELECT integration_id, bucket, greatest(received, sent) AS messages, errored + negative_acks AS errors
       FROM stats.traffic_hour WHERE integration_id = ANY($1::uuid[]) AND bucket >= $2 AND bucket < $3`,
      [
        stale.map((r) => r.integration_id),
        new Date(hour * HOUR_MS - BASELINE_WEEKS * WEEK_MS).toISOString(),
        new Date(hour * HOUR_MS).toISOString(),
      ],
    );
    const by = new Map<string, Array<{ t: number; messages: number; errors: number }>>();
    for (const h of hours) {
      const list = by.get(h.integration_id) ?? [];
      list.push({ t: h.bucket.getTime(), messages: h.messages, errors: h.errors });
      by.set(h.integration_id, list);
    }
    for (const r of stale) {
      const first = r.first_report_at?.getTime() ?? now;
      this.baselines.set(r.integration_id, {
        hour,
        baseline: buildBaseline(by.get(r.integration_id) ?? [], first, now),
      });
    }
  }

  private async refreshGauge(client: pg.PoolClient): Promise<void> {
    const { rows } = await client.query<{ type: string; kind: string; n: number }>(
      `SELECT i.type, a.kind, count(*)::int AS n FROM stats.traffic_anomalies a
       JOIN stats.integrations i USING (integration_id) WHERE a.resolved_at IS NULL GROUP BY 1, 2`,
    );
    this.o.metrics.openAnomalies.reset();
    for (const r of rows) this.o.metrics.openAnomalies.set({ type: r.type, kind: r.kind }, r.n);
  }

  private async prune(now: number): Promise<void> {
    const r = this.o.retention;
    const iso = (ms: number) => new Date(ms).toISOString();
    await this.o.pool.query("DELETE FROM stats.traffic_reports WHERE stored_at < $1", [
      iso(now - r.reportsHours * HOUR_MS),
    ]);
    await this.o.pool.query("DELETE FROM stats.traffic_minute WHERE bucket < $1", [
      iso(now - r.minuteDays * 24 * HOUR_MS),
    ]);
    for (const table of ["traffic_hour", "tenant_traffic_hour"]) {
      await this.o.pool.query(`DELETE FROM stats.${table} WHERE bucket < $1`, [
        iso(now - r.hourDays * 24 * HOUR_MS),
      ]);
    }
    await this.o.pool.query("DELETE FROM stats.traffic_anomalies WHERE resolved_at < $1", [
      iso(now - r.hourDays * 24 * HOUR_MS),
    ]);
  }
}
