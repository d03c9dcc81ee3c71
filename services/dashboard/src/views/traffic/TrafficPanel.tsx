import { LineChart } from "@mantine/charts";
import { Badge, Card, Group, List, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import type { TrafficAnomalyKind, TrafficBucket, TrafficExpectations, TrafficSeries } from "@hip/contracts";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatRelative } from "../../lib/format.ts";
import { fetchTraffic } from "../../lib/stats-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { ANOMALY_LABEL, describeExpectations, seriesTotals, toChartPoints } from "./traffic-model.ts";

const RANGES: Record<string, { hours: number; bucket: TrafficBucket; label: string }> = {
  "3h": { hours: 3, bucket: "minute", label: "Last 3 hours" },
  "24h": { hours: 24, bucket: "hour", label: "Last 24 hours" },
  "7d": { hours: 168, bucket: "hour", label: "Last 7 days" },
};

/** The list's compact badges: one per open traffic anomaly kind ("Silent feed", "Queue backlog"…). */
export function TrafficKindBadges({
  kinds,
  size = "sm",
}: {
  kinds: TrafficAnomalyKind[] | undefined;
  size?: "xs" | "sm";
}) {
  return (kinds ?? []).map((kind) => (
    <Badge key={kind} size={size} color={kind === "ERROR_SPIKE" ? "red" : "orange"} variant="light">
      {ANOMALY_LABEL[kind]}
    </Badge>
  ));
}

/** Open traffic anomalies as badges (silent feed, error spike, queue backlog). */
export function TrafficBadges({ series }: { series: TrafficSeries | null }) {
  const open = series?.openAnomalies ?? [];
  if (open.length === 0) return null;
  return (
    <Group gap="xs" data-testid="traffic-anomalies">
      {open.map((a) => (
        <Badge key={a.kind} color={a.kind === "ERROR_SPIKE" ? "red" : "orange"} variant="filled">
          {ANOMALY_LABEL[a.kind]} since {formatRelative(a.since)}
        </Badge>
      ))}
    </Group>
  );
}

/** Message traffic reported for one integration: received / failed / queued over time and open anomalies. */
export function TrafficPanel({ id, expectations }: { id: string; expectations: TrafficExpectations | null }) {
  const [range, setRange] = useState("3h");
  const spec = RANGES[range] ?? { hours: 3, bucket: "minute" as const, label: "Last 3 hours" };
  const series = useAsync((signal) => fetchTraffic({ id, ...spec }, signal), [id, range]);
  const points = toChartPoints(series.data);
  const totals = seriesTotals(series.data);
  return (
    <Stack gap="md">
      <TrafficBadges series={series.data} />
      <Group justify="space-between">
        <Title order={2} size="h4">
          Message traffic
        </Title>
        <SegmentedControl
          size="xs"
          value={range}
          onChange={setRange}
          aria-label="Traffic time range"
          data={Object.entries(RANGES).map(([value, r]) => ({ value, label: value, title: r.label }))}
        />
      </Group>
      {series.error ? (
        <ErrorAlert error={series.error} onRetry={series.reload} title="Error loading traffic" />
      ) : (
        <Card withBorder>
          <Text size="xs" c="dimmed" mb="sm">
            {spec.label} · {totals.received} received · {totals.errored} failed
          </Text>
          <LineChart
            h={240}
            data={points}
            dataKey="t"
            withLegend
            curveType="linear"
            series={[
              { name: "received", label: "Received", color: "blue.6" },
              { name: "errored", label: "Failed / NACK", color: "red.6" },
              { name: "queued", label: "Queued (max)", color: "orange.6" },
            ]}
            yAxisProps={{ allowDecimals: false, width: 44 }}
            aria-label={`Message traffic, ${spec.label}: ${totals.received} received, ${totals.errored} failed`}
          />
        </Card>
      )}
      <Card withBorder>
        <Title order={3} size="h5" mb="xs">
          Expected
        </Title>
        <List size="sm" data-testid="traffic-expectations">
          {describeExpectations(expectations).map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      </Card>
    </Stack>
  );
}
