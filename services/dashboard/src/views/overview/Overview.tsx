import { Group, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import type { IntegrationCurrentView } from "@hip/contracts";
import { useAsync, useThrottledCallback } from "../../lib/use-async.ts";
import { useLiveEvents } from "../../lib/live.tsx";
import { rememberName } from "../../lib/names.ts";
import { fetchCurrentViews, fetchIntegrations, fetchSummary, fetchTimeseries } from "../../lib/stats-api.ts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatRelative } from "../../lib/format.ts";
import { StatCards } from "./StatCards.tsx";
import { BreakdownCharts } from "./BreakdownCharts.tsx";
import { ActivityCharts } from "./ActivityCharts.tsx";
import { type FailingRow, FailingTable } from "./FailingTable.tsx";

export function Overview() {
  const summary = useAsync(fetchSummary, []);
  const series = useAsync((s) => fetchTimeseries({ hours: 24, bucket: "hour" }, s), []);
  const failing = useAsync(async (signal): Promise<FailingRow[]> => {
    const list = await fetchIntegrations(
      { status: "ERROR", limit: 20, sort: "updatedAt", order: "desc" },
      signal,
    );
    for (const i of list.data) rememberName(i.id, i.name);
    const current = await fetchCurrentViews(
      list.data.map((i) => i.id),
      signal,
    ).catch(() => new Map<string, IntegrationCurrentView>());
    return list.data.map((integration) => ({ integration, current: current.get(integration.id) }));
  }, []);

  const refresh = useThrottledCallback(() => {
    summary.reload();
    failing.reload();
  }, 1500);
  const refreshSeries = useThrottledCallback(() => series.reload(), 10_000);
  useLiveEvents((e) => {
    if (e.type === "probe") refreshSeries();
    if (e.type === "status" || e.type === "integration" || e.type === "reset") refresh();
  });

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-end">
        <Title order={1}>Overview</Title>
        {summary.data && (
          <Text size="sm" c="dimmed">
            Last successful check {formatRelative(summary.data.lastSyncedAt)}
          </Text>
        )}
      </Group>
      {summary.error ? (
        <ErrorAlert error={summary.error} onRetry={summary.reload} title="Error loading statistics" />
      ) : null}
      <StatCards summary={summary.data} loading={summary.loading && !summary.data} />
      <FailingTable
        rows={failing.data}
        loading={failing.loading && !failing.data}
        error={failing.error}
        onRetry={failing.reload}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <BreakdownCharts summary={summary.data} />
      </SimpleGrid>
      {series.error ? (
        <ErrorAlert error={series.error} onRetry={series.reload} title="Error loading check history" />
      ) : (
        <ActivityCharts series={series.data} />
      )}
    </Stack>
  );
}
