import { BarChart, LineChart } from "@mantine/charts";
import { Card, SimpleGrid, Text, Title } from "@mantine/core";
import type { Timeseries } from "@hip/contracts";

function label(iso: string, bucket: Timeseries["bucket"]): string {
  const d = new Date(iso);
  if (bucket === "day") return d.toLocaleDateString([], { month: "short", day: "numeric" });
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** Check volume (successes vs failures) and latency over time, from /stats/timeseries. */
export function ActivityCharts({
  series,
  title = "Last 24 hours",
}: {
  series: Timeseries | null;
  title?: string;
}) {
  const points = (series?.points ?? []).map((p) => ({
    t: label(p.t, series?.bucket ?? "hour"),
    successes: p.successes,
    failures: p.failures,
    avg: p.avgLatencyMs === null ? null : Math.round(p.avgLatencyMs),
    p95: p.p95LatencyMs === null ? null : Math.round(p.p95LatencyMs),
  }));
  const totalChecks = points.reduce((n, p) => n + p.successes + p.failures, 0);
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Card withBorder>
        <Title order={2} size="h4">
          Check volume
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          {title} · {totalChecks} checks
        </Text>
        <BarChart
          h={220}
          data={points}
          dataKey="t"
          type="stacked"
          withLegend
          series={[
            { name: "successes", label: "Succeeded", color: "#40c057" },
            { name: "failures", label: "Failed", color: "#fa5252" },
          ]}
          yAxisProps={{ allowDecimals: false, width: 36 }}
          aria-label={`Check volume, ${title}: ${totalChecks} checks`}
        />
      </Card>
      <Card withBorder>
        <Title order={2} size="h4">
          Latency
        </Title>
        <Text size="xs" c="dimmed" mb="sm">
          {title} · average and p95, ms
        </Text>
        <LineChart
          h={220}
          data={points}
          dataKey="t"
          withLegend
          connectNulls
          curveType="monotone"
          valueFormatter={(v) => `${v} ms`}
          series={[
            { name: "avg", label: "Average", color: "blue.6" },
            { name: "p95", label: "p95", color: "orange.6" },
          ]}
          yAxisProps={{ width: 48 }}
          aria-label={`Latency, ${title}`}
        />
      </Card>
    </SimpleGrid>
  );
}
