import { Card, Group, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import type { IntegrationStats, TimeseriesBucket } from "@hip/contracts";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { ApiError } from "../../lib/api.ts";
import {
  formatDateTime,
  formatDuration,
  formatLatency,
  formatPercent,
  formatRelative,
} from "../../lib/format.ts";
import { fetchIntegrationStats, fetchTimeseries } from "../../lib/stats-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { ActivityCharts } from "../overview/ActivityCharts.tsx";

const RANGES: Record<string, { hours: number; bucket: TimeseriesBucket; label: string }> = {
  "1h": { hours: 1, bucket: "minute", label: "Last hour" },
  "24h": { hours: 24, bucket: "hour", label: "Last 24 hours" },
  "7d": { hours: 168, bucket: "hour", label: "Last 7 days" },
  "30d": { hours: 720, bucket: "day", label: "Last 30 days" },
};

function Metric({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fz={22} fw={700}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Card>
  );
}

export function HealthPanel({ id, tick }: { id: string; tick: number }) {
  const [range, setRange] = useState("24h");
  const spec = RANGES[range] ?? { hours: 24, bucket: "hour" as const, label: "Last 24 hours" };
  const stats = useAsync(
    (signal): Promise<IntegrationStats | null> =>
      fetchIntegrationStats(id, signal).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
    [id, tick],
  );
  const series = useAsync(
    (signal) => fetchTimeseries({ ...spec, integrationId: id }, signal),
    [id, range, tick],
  );
  const s = stats.data;

  return (
    <Stack gap="md">
      {stats.error ? (
        <ErrorAlert error={stats.error} onRetry={stats.reload} title="Error loading health statistics" />
      ) : null}
      {!stats.loading && !s && !stats.error && (
        <Text size="sm" c="dimmed">
          No health data yet: the first check result will appear here.
        </Text>
      )}
      {s && (
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" data-testid="uptime">
          <Metric label="Uptime 24 h" value={formatPercent(s.uptime.h24)} hint={`${s.checks.h24} checks`} />
          <Metric label="Uptime 7 d" value={formatPercent(s.uptime.d7)} hint={`${s.checks.d7} checks`} />
          <Metric label="Uptime 30 d" value={formatPercent(s.uptime.d30)} hint={`${s.checks.d30} checks`} />
          <Metric label="Latency p50" value={formatLatency(s.latency24h.p50)} hint="last 24 h" />
          <Metric
            label="Latency p95"
            value={formatLatency(s.latency24h.p95)}
            hint={`p99 ${formatLatency(s.latency24h.p99)}`}
          />
          <Metric
            label="In this state"
            value={formatDuration(s.timeInCurrentStateSeconds)}
            hint={`last check ${formatRelative(s.lastCheckAt)}`}
          />
        </SimpleGrid>
      )}
      <Group justify="space-between">
        <Title order={2} size="h4">
          Health history
        </Title>
        <SegmentedControl
          size="xs"
          value={range}
          onChange={setRange}
          aria-label="Time range"
          data={Object.entries(RANGES).map(([value, r]) => ({ value, label: value, title: r.label }))}
        />
      </Group>
      {series.error ? (
        <ErrorAlert error={series.error} onRetry={series.reload} title="Error loading health history" />
      ) : (
        <ActivityCharts series={series.data} title={spec.label} />
      )}
      {s && s.recentChecks.length > 0 && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Recent checks
          </Title>
          <Table.ScrollContainer minWidth={520}>
            <Table verticalSpacing={4} aria-label="Recent checks" data-testid="recent-checks">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Result</Table.Th>
                  <Table.Th>Latency</Table.Th>
                  <Table.Th>Trigger</Table.Th>
                  <Table.Th>Error</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {s.recentChecks.map((c) => (
                  <Table.Tr key={c.eventId}>
                    <Table.Td>{formatDateTime(c.checkedAt)}</Table.Td>
                    <Table.Td>
                      <Text size="sm" c={c.success ? "green.8" : "red.8"} fw={600}>
                        {c.success ? "OK" : "Failed"}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatLatency(c.latencyMs)}</Table.Td>
                    <Table.Td>{c.trigger}</Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={2}>
                        {c.errorCode ? `${c.errorCode}: ${c.errorMessage ?? ""}` : "—"}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Card>
      )}
    </Stack>
  );
}
