import type { IntegrationProbeCompleted } from "@hip/contracts";
import { addInto, bucketOf, emptyHistogram, histLiteral } from "../histogram.ts";
import type { SqlBatch } from "./sql-batch.ts";

export interface RollupCell {
  count: number;
  successes: number;
  failures: number;
  latencySum: number;
  latencyMax: number;
  hist: number[];
}

export function emptyCell(): RollupCell {
  return { count: 0, successes: 0, failures: 0, latencySum: 0, latencyMax: 0, hist: emptyHistogram() };
}

export function addProbe(cell: RollupCell, success: boolean, latencyMs: number): void {
  cell.count++;
  if (success) cell.successes++;
  else cell.failures++;
  cell.latencySum += latencyMs;
  cell.latencyMax = Math.max(cell.latencyMax, latencyMs);
  const i = bucketOf(latencyMs);
  cell.hist[i] = (cell.hist[i] ?? 0) + 1;
}

export function mergeCell(into: RollupCell, from: RollupCell): void {
  into.count += from.count;
  into.successes += from.successes;
  into.failures += from.failures;
  into.latencySum += from.latencySum;
  into.latencyMax = Math.max(into.latencyMax, from.latencyMax);
  addInto(into.hist, from.hist);
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function floorTo(ms: number, step: number): number {
  return Math.floor(ms / step) * step;
}

/** Accumulates fresh probe results into integration- and tenant-level minute and hour cells. */
export class RollupBatch {
  private readonly integration = new Map<
    string,
    { id: string; tenant: string; bucket: number; cell: RollupCell }
  >();
  private readonly tenant = new Map<
    string,
    { tenant: string; type: string; bucket: number; cell: RollupCell }
  >();
  private readonly minuteCutoff: number;
  private readonly hourCutoff: number;

  constructor(minuteCutoffMs: number, hourCutoffMs: number) {
    this.minuteCutoff = minuteCutoffMs;
    this.hourCutoff = hourCutoffMs;
  }

  add(e: IntegrationProbeCompleted): void {
    const r = e.data;
    const at = Date.parse(r.checkedAt);
    for (const step of [MINUTE_MS, HOUR_MS]) {
      if (at < (step === MINUTE_MS ? this.minuteCutoff : this.hourCutoff)) continue;
      const bucket = floorTo(at, step);
      const ik = `${step}|${r.integrationId}|${bucket}`;
      let ic = this.integration.get(ik);
      if (!ic) {
        ic = { id: r.integrationId, tenant: e.tenantid, bucket, cell: emptyCell() };
        this.integration.set(ik, ic);
      }
      addProbe(ic.cell, r.success, r.latencyMs);
      const tk = `${step}|${e.tenantid}|${r.integrationType}|${bucket}`;
      let tc = this.tenant.get(tk);
      if (!tc) {
        tc = { tenant: e.tenantid, type: r.integrationType, bucket, cell: emptyCell() };
        this.tenant.set(tk, tc);
      }
      addProbe(tc.cell, r.success, r.latencyMs);
    }
  }

  write(b: SqlBatch, guard = "TRUE"): void {
    for (const step of [MINUTE_MS, HOUR_MS]) {
      const grain = step === MINUTE_MS ? "minute" : "hour";
      const prefix = `${step}|`;
      // Sorted keys: concurrent replicas lock roll-up rows in one order, so they cannot deadlock.
      const irows = [...this.integration.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([, v]) => v);
      if (irows.length > 0) {
        const keys = `${b.p(
          irows.map((r) => r.id),
          "uuid[]",
        )}, ${b.p(
          irows.map((r) => r.tenant),
          "text[]",
        )}`;
        upsert(
          b,
          `stats.rollup_${grain}`,
          "integration_id, tenant_id",
          "integration_id, bucket",
          keys,
          irows,
          guard,
        );
      }
      const trows = [...this.tenant.entries()]
        .filter(([k]) => k.startsWith(prefix))
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([, v]) => v);
      if (trows.length > 0) {
        const keys = `${b.p(
          trows.map((r) => r.tenant),
          "text[]",
        )}, ${b.p(
          trows.map((r) => r.type),
          "text[]",
        )}`;
        upsert(
          b,
          `stats.tenant_rollup_${grain}`,
          "tenant_id, type",
          "tenant_id, bucket, type",
          keys,
          trows,
          guard,
        );
      }
    }
  }
}

function upsert(
  b: SqlBatch,
  table: string,
  keyColumns: string,
  conflict: string,
  keys: string,
  rows: Array<{ bucket: number; cell: RollupCell }>,
  guard: string,
): void {
  const cols = [
    b.p(
      rows.map((r) => new Date(r.bucket).toISOString()),
      "timestamptz[]",
    ),
    b.p(
      rows.map((r) => r.cell.count),
      "int[]",
    ),
    b.p(
      rows.map((r) => r.cell.successes),
      "int[]",
    ),
    b.p(
      rows.map((r) => r.cell.failures),
      "int[]",
    ),
    b.p(
      rows.map((r) => r.cell.latencySum),
      "float8[]",
    ),
    b.p(
      rows.map((r) => r.cell.latencyMax),
      "float8[]",
    ),
    b.p(
      rows.map((r) => histLiteral(r.cell.hist)),
      "text[]",
    ),
  ];
  b.add(
    `INSERT INTO ${table} AS t (${keyColumns}, bucket, count, successes, failures, latency_sum, latency_max, hist)
     SELECT v.k1, v.k2, v.bucket, v.count, v.successes, v.failures, v.latency_sum, v.latency_max, v.hist::int[]
     FROM unnest(${keys}, ${cols.join(", ")})
       AS v(k1, k2, bucket, count, successes, failures, latency_sum, latency_max, hist)
     WHERE ${guard}
     ON CONFLICT (${conflict}) DO UPDATE SET
       count = t.count + excluded.count,
       successes = t.successes + excluded.successes,
       failures = t.failures + excluded.failures,
       latency_sum = t.latency_sum + excluded.latency_sum,
       latency_max = GREATEST(t.latency_max, excluded.latency_max),
       hist = stats.hist_add(t.hist, excluded.hist)`,
  );
}
