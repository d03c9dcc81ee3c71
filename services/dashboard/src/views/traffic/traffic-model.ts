import type { IncidentAnomaly, TrafficAnomalyKind, TrafficExpectations, TrafficSeries } from "@hip/contracts";

export const ANOMALY_LABEL: Record<TrafficAnomalyKind, string> = {
  SILENT_FEED: "Silent feed",
  ERROR_SPIKE: "Error spike",
  QUEUE_BACKLOG: "Queue backlog",
};

export interface TrafficChartPoint {
  t: string;
  received: number;
  errored: number;
  queued: number | null;
}

/** Chart rows from the series: received, failed (errored + negative ACKs) and the queue depth per bucket. */
export function toChartPoints(series: TrafficSeries | null, locale?: string): TrafficChartPoint[] {
  return (series?.points ?? []).map((p) => {
    const d = new Date(p.t);
    return {
      t:
        series?.bucket === "hour"
          ? d.toLocaleString(locale, { month: "short", day: "numeric", hour: "2-digit" })
          : d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }),
      received: p.received,
      errored: p.errored + p.negativeAcks,
      queued: p.queuedMax,
    };
  });
}

/** What the integration is judged by, in words ("not judged" without expectations). */
export function describeExpectations(e: TrafficExpectations | null | undefined): string[] {
  if (!e) return ["No traffic expectations: traffic is recorded but not judged."];
  const out: string[] = [
    e.mode === "baseline"
      ? "Baseline: expected volume learned per hour of the week over the last 4 weeks."
      : "Fixed thresholds.",
  ];
  if (e.silenceMinutes !== undefined) {
    out.push(
      e.mode === "baseline"
        ? `Silent after at least ${e.silenceMinutes} min without messages.`
        : `Silent after ${e.silenceMinutes} min without messages.`,
    );
  }
  if (e.minMessagesPerHour !== undefined) out.push(`At least ${e.minMessagesPerHour} messages per hour.`);
  if (e.maxErrorRatePercent !== undefined) out.push(`Error rate at most ${e.maxErrorRatePercent} %.`);
  if (e.maxQueuedAgeSeconds !== undefined)
    out.push(`Oldest queued message at most ${e.maxQueuedAgeSeconds} s.`);
  if (e.maxQueued !== undefined) out.push(`At most ${e.maxQueued} messages queued.`);
  return out;
}

/** Totals of a series, for the chart subtitle. */
export function seriesTotals(series: TrafficSeries | null): { received: number; errored: number } {
  let received = 0;
  let errored = 0;
  for (const p of series?.points ?? []) {
    received += p.received;
    errored += p.errored + p.negativeAcks;
  }
  return { received, errored };
}

/** Observed vs expected of a traffic incident, as label/value lines (only the fields that apply). */
export function anomalyLines(a: IncidentAnomaly): Array<[string, string]> {
  const o = a.observed;
  const e = a.expected;
  const out: Array<[string, string]> = [["Mode", e.mode]];
  const pair = (label: string, observed: number | null, expected: number | null, unit: string) => {
    if (observed === null && expected === null) return;
    out.push([label, `${observed ?? "–"}${unit} observed, ${expected ?? "–"}${unit} expected`]);
  };
  pair("Silence", o.silentMinutes === null ? null : Math.round(o.silentMinutes), e.silenceMinutes, " min");
  pair("Messages last hour", o.messagesLastHour, e.minMessagesPerHour, "");
  pair("Error rate", o.errorRatePercent, e.maxErrorRatePercent, " %");
  pair("Oldest queued", o.oldestQueuedAgeSeconds, e.maxQueuedAgeSeconds, " s");
  pair("Queued", o.queued, e.maxQueued, "");
  return out;
}
