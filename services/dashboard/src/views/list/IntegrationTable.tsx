import { Card, Group, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { IconArrowsSort, IconSortAscending, IconSortDescending } from "@tabler/icons-react";
import type { IncidentView, IntegrationCurrentView, IntegrationView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { StatusBadge, TypeBadge } from "../../components/badges.tsx";
import { formatLatency, formatPercent, formatRelative } from "../../lib/format.ts";
import { href } from "../../lib/router.ts";
import { OpenIncidentBadge } from "../alerts/IncidentBadge.tsx";
import { TrafficKindBadges } from "../traffic/TrafficPanel.tsx";
import type { ListState, SortField } from "./list-state.ts";

type Current = Map<string, IntegrationCurrentView> | undefined;
/** Unresolved incidents by integration id (from the alert service). */
type Incidents = Map<string, IncidentView> | undefined;

function SortHeader({
  field,
  label,
  state,
  onSort,
}: {
  field: SortField;
  label: string;
  state: ListState;
  onSort: (f: SortField) => void;
}) {
  const active = state.sort === field;
  const Icon = !active ? IconArrowsSort : state.order === "asc" ? IconSortAscending : IconSortDescending;
  return (
    <Table.Th aria-sort={active ? (state.order === "asc" ? "ascending" : "descending") : "none"}>
      <UnstyledButton onClick={() => onSort(field)} aria-label={`Sort by ${label}`}>
        <Group gap={4} wrap="nowrap">
          <Text fw={700} size="sm">
            {label}
          </Text>
          <Icon size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

function LastCheck({ current }: { current: IntegrationCurrentView | undefined }) {
  if (!current?.lastCheckAt)
    return (
      <Text size="sm" c="dimmed">
        never
      </Text>
    );
  return (
    <Text size="sm" c={current.lastCheckSuccess === false ? "red.8" : undefined}>
      {current.lastCheckSuccess === false ? "Failed " : ""}
      {formatRelative(current.lastCheckAt)}
    </Text>
  );
}

export function IntegrationTable({
  rows,
  current,
  incidents,
  state,
  onSort,
  loading,
}: {
  rows: IntegrationView[];
  current: Current;
  incidents?: Incidents;
  state: ListState;
  onSort: (f: SortField) => void;
  loading: boolean;
}) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table
        striped
        highlightOnHover
        verticalSpacing="xs"
        aria-label="Integrations"
        aria-busy={loading}
        data-testid="integrations-table"
      >
        <Table.Thead>
          <Table.Tr>
            <SortHeader field="name" label="Name" state={state} onSort={onSort} />
            <SortHeader field="type" label="Type" state={state} onSort={onSort} />
            <SortHeader field="status" label="Status" state={state} onSort={onSort} />
            <Table.Th>Last check</Table.Th>
            <Table.Th>Latency</Table.Th>
            <Table.Th>Uptime 24 h</Table.Th>
            <SortHeader field="updatedAt" label="Updated" state={state} onSort={onSort} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && !loading && (
            <Table.Tr>
              <Table.Td colSpan={7}>
                <Text c="dimmed" ta="center" py="md">
                  No integrations match these filters.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {rows.map((i) => {
            const c = current?.get(i.id);
            return (
              <Table.Tr key={i.id} data-integration-id={i.id}>
                <Table.Td>
                  <Link to={href({ name: "detail", id: i.id })} fw={600}>
                    {i.name}
                  </Link>
                  {i.provider && (
                    <Text size="xs" c="dimmed">
                      {i.provider}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <TypeBadge type={i.type} size="sm" />
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="wrap">
                    <StatusBadge status={i.status} size="sm" />
                    {incidents?.get(i.id) && (
                      <OpenIncidentBadge incident={incidents.get(i.id) as IncidentView} size="sm" />
                    )}
                    <TrafficKindBadges kinds={c?.trafficAnomalies} />
                  </Group>
                </Table.Td>
                <Table.Td>
                  <LastCheck current={c} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatLatency(c?.lastLatencyMs)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatPercent(c?.uptime24h)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatRelative(i.updatedAt)}</Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Phone layout: one card per integration instead of a wide table. */
export function IntegrationCards({
  rows,
  current,
  incidents,
}: {
  rows: IntegrationView[];
  current: Current;
  incidents?: Incidents;
}) {
  if (rows.length === 0) {
    return (
      <Text c="dimmed" ta="center" py="md">
        No integrations match these filters.
      </Text>
    );
  }
  return (
    <Stack
      gap="xs"
      component="ul"
      style={{ listStyle: "none", padding: 0, margin: 0 }}
      aria-label="Integrations"
    >
      {rows.map((i) => {
        const c = current?.get(i.id);
        return (
          <Card key={i.id} withBorder padding="sm" component="li" data-integration-id={i.id}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Link to={href({ name: "detail", id: i.id })} fw={600}>
                  {i.name}
                </Link>
                {i.provider && (
                  <Text size="xs" c="dimmed" truncate>
                    {i.provider}
                  </Text>
                )}
              </div>
              <StatusBadge status={i.status} size="sm" />
            </Group>
            <Group gap="xs" mt={6} wrap="wrap">
              <TypeBadge type={i.type} size="sm" />
              {incidents?.get(i.id) && (
                <OpenIncidentBadge incident={incidents.get(i.id) as IncidentView} size="sm" />
              )}
              <TrafficKindBadges kinds={c?.trafficAnomalies} />
              <Text size="xs" c="dimmed">
                Last check {formatRelative(c?.lastCheckAt)} · {formatLatency(c?.lastLatencyMs)} · uptime{" "}
                {formatPercent(c?.uptime24h)}
              </Text>
            </Group>
          </Card>
        );
      })}
    </Stack>
  );
}
