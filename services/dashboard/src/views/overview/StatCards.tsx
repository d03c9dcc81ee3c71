import { Card, Group, SimpleGrid, Skeleton, Text } from "@mantine/core";
import type { StatsSummary } from "@hip/contracts";
import { formatLatency, formatPercent } from "../../lib/format.ts";
import { STATUS_COLORS } from "../../lib/palette.ts";

interface CardSpec {
  label: string;
  value: (s: StatsSummary) => string;
  color?: string;
  hint?: (s: StatsSummary) => string;
}

const CARDS: CardSpec[] = [
  { label: "Total", value: (s) => String(s.total), hint: (s) => `${s.performance.checks24h} checks in 24 h` },
  { label: "Active", value: (s) => String(s.active), color: STATUS_COLORS.ACTIVE },
  { label: "Inactive", value: (s) => String(s.inactive), color: STATUS_COLORS.INACTIVE },
  { label: "Error", value: (s) => String(s.error), color: STATUS_COLORS.ERROR },
  { label: "Testing", value: (s) => String(s.testing), color: STATUS_COLORS.TESTING },
  {
    label: "Success rate 24 h",
    value: (s) => formatPercent(s.performance.successRate24h),
    hint: (s) =>
      `avg ${formatLatency(s.performance.avgLatencyMs)} · p95 ${formatLatency(s.performance.p95LatencyMs)}`,
  },
];

export function StatCards({ summary, loading }: { summary: StatsSummary | null; loading: boolean }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" role="list" aria-label="Integration statistics">
      {CARDS.map((c) => (
        <Card
          key={c.label}
          withBorder
          padding="sm"
          role="listitem"
          style={c.color ? { borderTop: `4px solid ${c.color}` } : undefined}
          data-testid={`stat-${c.label.toLowerCase().replace(/\s+/g, "-")}`}
        >
          <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
            {c.label}
          </Text>
          {loading || !summary ? (
            <Skeleton h={28} mt={6} />
          ) : (
            <Group gap={4} align="baseline">
              <Text fz={26} fw={700} lh={1.3}>
                {c.value(summary)}
              </Text>
            </Group>
          )}
          {summary && c.hint && (
            <Text size="xs" c="dimmed">
              {c.hint(summary)}
            </Text>
          )}
        </Card>
      ))}
    </SimpleGrid>
  );
}
