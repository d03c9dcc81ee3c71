import { MantineProvider } from "@mantine/core";
import type { TrafficSeries } from "@hip/contracts";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { TrafficBadges, TrafficKindBadges } from "./TrafficPanel.tsx";
import { anomalyLines, describeExpectations, seriesTotals, toChartPoints } from "./traffic-model.ts";

const render = (node: React.ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);

const series: TrafficSeries = {
  integrationId: "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03",
  bucket: "minute",
  from: "2026-01-01T10:00:00.000Z",
  to: "2026-01-01T10:02:00.000Z",
  points: [
    {
      t: "2026-01-01T10:00:00.000Z",
      received: 40,
      filtered: 0,
      sent: 38,
      errored: 1,
      negativeAcks: 2,
      queuedMax: 5,
      oldestQueuedAgeSecondsMax: 12,
      reports: 6,
    },
    {
      t: "2026-01-01T10:01:00.000Z",
      received: 0,
      filtered: 0,
      sent: 0,
      errored: 0,
      negativeAcks: 0,
      queuedMax: null,
      oldestQueuedAgeSecondsMax: null,
      reports: 0,
    },
  ],
  openAnomalies: [
    { kind: "SILENT_FEED", since: "2026-01-01T10:01:00.000Z", detectedAt: "2026-01-01T10:16:00.000Z" },
  ],
};

describe("traffic panel model", () => {
  it("charts received, failed (errored + negative ACKs) and queue depth per bucket", () => {
    const points = toChartPoints(series, "en-GB");
    expect(points.map((p) => [p.received, p.errored, p.queued])).toEqual([
      [40, 3, 5],
      [0, 0, null],
    ]);
    expect(seriesTotals(series)).toEqual({ received: 40, errored: 3 });
    expect(toChartPoints(null)).toEqual([]);
  });

  it("describes what the integration is judged by", () => {
    expect(describeExpectations(null)[0]).toMatch(/not judged/);
    expect(describeExpectations({ mode: "fixed", silenceMinutes: 15, maxErrorRatePercent: 5 })).toEqual([
      "Fixed thresholds.",
      "Silent after 15 min without messages.",
      "Error rate at most 5 %.",
    ]);
    expect(describeExpectations({ mode: "baseline", maxQueuedAgeSeconds: 600 })[0]).toMatch(
      /hour of the week/,
    );
  });

  it("lists observed vs expected of a traffic incident, only what applies", () => {
    const lines = anomalyLines({
      anomalyId: "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e09",
      since: "2026-01-01T10:01:00.000Z",
      observed: {
        messagesLastHour: 12,
        silentMinutes: 23.4,
        errorRatePercent: null,
        queued: null,
        oldestQueuedAgeSeconds: null,
      },
      expected: {
        mode: "baseline",
        minMessagesPerHour: 300,
        silenceMinutes: 12,
        maxErrorRatePercent: null,
        maxQueued: null,
        maxQueuedAgeSeconds: null,
      },
    });
    expect(lines).toEqual([
      ["Mode", "baseline"],
      ["Silence", "23 min observed, 12 min expected"],
      ["Messages last hour", "12 observed, 300 expected"],
    ]);
  });

  it("list badges name each open anomaly kind", () => {
    const html = render(<TrafficKindBadges kinds={["QUEUE_BACKLOG", "SILENT_FEED"]} />);
    expect(html).toContain("Queue backlog");
    expect(html).toContain("Silent feed");
    expect(render(<TrafficKindBadges kinds={undefined} />)).not.toContain("Silent feed");
  });

  it("shows a badge per open anomaly and nothing without one", () => {
    expect(render(<TrafficBadges series={series} />)).toContain("Silent feed since");
    expect(render(<TrafficBadges series={{ ...series, openAnomalies: [] }} />)).not.toContain(
      "traffic-anomalies",
    );
  });
});
