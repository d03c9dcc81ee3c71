import { DonutChart } from "@mantine/charts";
import { Card, Group, Stack, Text, Title } from "@mantine/core";
import type { StatsSummary } from "@hip/contracts";
import {
  INTEGRATION_STATUSES,
  INTEGRATION_TYPES,
  STATUS_COLORS,
  STATUS_LABELS,
  TYPE_COLORS,
  TYPE_LABELS,
} from "../../lib/palette.ts";

export function BreakdownCharts({ summary }: { summary: StatsSummary | null }) {
  const statusData = INTEGRATION_STATUSES.map((s) => ({
    name: STATUS_LABELS[s],
    value: summary?.byStatus[s] ?? 0,
    color: STATUS_COLORS[s],
  }));
  const typeData = INTEGRATION_TYPES.map((t) => ({
    type: TYPE_LABELS[t],
    count: summary?.byType[t] ?? 0,
    color: TYPE_COLORS[t],
  }));
  const total = summary?.total ?? 0;
  const maxType = Math.max(0, ...typeData.map((t) => t.count));
  return (
    <>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm" id="status-breakdown">
          Status breakdown
        </Title>
        <Group wrap="wrap" justify="center" gap="lg">
          <DonutChart
            data={
              total > 0
                ? statusData.filter((d) => d.value > 0)
                : [{ name: "None", value: 1, color: "#e9ecef" }]
            }
            chartLabel={`${total} total`}
            size={160}
            thickness={24}
            withTooltip={false}
            aria-hidden
          />
          <Stack
            gap={4}
            component="ul"
            aria-labelledby="status-breakdown"
            style={{ listStyle: "none", padding: 0, margin: 0 }}
          >
            {statusData.map((d) => (
              <Group key={d.name} gap="xs" component="li">
                <span
                  aria-hidden
                  style={{
                    width: 12,
                    height: 12,
                    borderRadius: 3,
                    background: d.color,
                    display: "inline-block",
                  }}
                />
                <Text size="sm">
                  {d.name}: <b>{d.value}</b>
                </Text>
              </Group>
            ))}
          </Stack>
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Integrations by type
        </Title>
        <Stack gap={6} component="ul" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {typeData.map((t) => (
            <Group key={t.type} gap="xs" wrap="nowrap" component="li" aria-label={`${t.type}: ${t.count}`}>
              <Text size="sm" w={80} style={{ flexShrink: 0 }} aria-hidden>
                {t.type}
              </Text>
              <div
                aria-hidden
                style={{ flex: 1, background: "var(--mantine-color-gray-1)", borderRadius: 4, height: 14 }}
              >
                <div
                  style={{
                    width: `${maxType > 0 ? (t.count / maxType) * 100 : 0}%`,
                    minWidth: t.count > 0 ? 4 : 0,
                    background: t.color,
                    height: "100%",
                    borderRadius: 4,
                  }}
                />
              </div>
              <Text size="sm" fw={600} w={36} ta="right" aria-hidden>
                {t.count}
              </Text>
            </Group>
          ))}
        </Stack>
      </Card>
    </>
  );
}
