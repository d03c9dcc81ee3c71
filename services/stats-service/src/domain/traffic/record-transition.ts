import { createHash, randomUUID } from "node:crypto";
import {
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationType,
  type TrafficAnomalyKind,
  type TrafficExpectation,
} from "@hip/contracts";
import type pg from "pg";
import type { TrafficMetrics } from "../../metrics/traffic-metrics.ts";
import type { Transition } from "./detector.ts";

export interface JudgedRow {
  integration_id: string;
  tenant_id: string;
  expectations: unknown;
  first_report_at: Date | null;
  last_activity_at: Date | null;
  name: string;
  type: IntegrationType;
}

export interface OpenRow {
  anomaly_id: string;
  integration_id: string;
  tenant_id: string;
  kind: TrafficAnomalyKind;
  since: Date;
  detected_at: Date;
  expected: TrafficExpectation;
}

/** Event id of an anomaly transition: stable, so a retried transaction or a replay publishes the same id. */
export function anomalyEventId(anomalyId: string, state: "opened" | "resolved"): string {
  const h = createHash("sha1").update(`${anomalyId}:${state}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** Opens or resolves one anomaly and enqueues its event, in the tick's transaction. False if nothing changed. */
export async function recordTransition(
  client: pg.PoolClient,
  ctx: { statusTopic: string; metrics: TrafficMetrics },
  row: JudgedRow,
  t: Transition,
  open: OpenRow | null,
  now: number,
): Promise<boolean> {
  const at = new Date(now).toISOString();
  let anomalyId: string;
  let since: string;
  let detectedAt: string;
  let expected = t.expected;
  if (t.state === "opened") {
    anomalyId = randomUUID();
    since = new Date(t.since).toISOString();
    detectedAt = at;
    const ins = await client.query(
      `INSERT INTO stats.traffic_anomalies (anomaly_id, integration_id, tenant_id, kind, since, detected_at,
         observed, expected)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (integration_id, kind) WHERE resolved_at IS NULL DO NOTHING`,
      [anomalyId, row.integration_id, row.tenant_id, t.kind, since, detectedAt, t.observed, t.expected],
    );
    if (ins.rowCount === 0) return false;
  } else {
    if (!open) return false;
    const upd = await client.query(
      "UPDATE stats.traffic_anomalies SET resolved_at = $2 WHERE anomaly_id = $1 AND resolved_at IS NULL",
      [open.anomaly_id, at],
    );
    if (upd.rowCount === 0) return false;
    anomalyId = open.anomaly_id;
    since = open.since.toISOString();
    detectedAt = open.detected_at.toISOString();
    expected = open.expected;
  }
  const seq = await client.query<{ event_seq: number }>(
    `UPDATE stats.traffic_state SET event_seq = event_seq + 1 WHERE integration_id = $1 RETURNING event_seq`,
    [row.integration_id],
  );
  const id = anomalyEventId(anomalyId, t.state);
  const event = cloudEvent({
    id,
    type: "integration.traffic_anomaly",
    source: EVENT_SOURCES.statsService,
    subject: row.integration_id,
    tenantId: row.tenant_id,
    sequence: seq.rows[0]?.event_seq ?? 1,
    time: new Date(now),
    data: {
      anomalyId,
      integrationId: row.integration_id,
      integrationName: row.name,
      integrationType: row.type,
      kind: t.kind,
      state: t.state,
      since,
      detectedAt,
      resolvedAt: t.state === "resolved" ? at : null,
      observed: t.observed,
      expected,
    },
  });
  await client.query(
    `INSERT INTO stats.traffic_outbox (id, tenant_id, integration_id, sequence, topic, event_type, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [id, row.tenant_id, row.integration_id, event.sequence, ctx.statusTopic, event.type, event],
  );
  ctx.metrics.anomalyTransitions.inc({ kind: t.kind, state: t.state });
  return true;
}
