import { Card, Group, Stack, Table, Text } from "@mantine/core";
import type { IncidentView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { TypeBadge } from "../../components/badges.tsx";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { href } from "../../lib/router.ts";
import { IncidentActions } from "./IncidentActions.tsx";
import { IncidentNoiseBadges, IncidentStateBadge } from "./IncidentBadge.tsx";
import { groupUnderParents } from "../detail/dependencies.ts";
import { formatIncidentDuration } from "./timeline.ts";

export const incidentName = (i: IncidentView): string =>
  i.integrationName ?? `Integration ${i.integrationId.slice(0, 8)}`;

function ErrorSummary({ incident }: { incident: IncidentView }) {
  if (!incident.error)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Text size="sm" lineClamp={2} title={incident.error.message}>
      <Text span fw={600} size="sm">
        {incident.error.code}
      </Text>
      {incident.error.stage ? ` (${incident.error.stage})` : ""}: {incident.error.message}
    </Text>
  );
}

interface RowsProps {
  rows: IncidentView[];
  canWrite: boolean;
  loading: boolean;
  onChanged: () => void;
}

export function IncidentTable({ rows, canWrite, loading, onChanged }: RowsProps) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table
        striped
        highlightOnHover
        verticalSpacing="xs"
        aria-label="Incidents"
        aria-busy={loading}
        data-testid="incidents-table"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Integration</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Error</Table.Th>
            <Table.Th>Opened</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>{canWrite ? "Actions" : "Details"}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.length === 0 && !loading && (
            <Table.Tr>
              <Table.Td colSpan={6}>
                <Text c="dimmed" ta="center" py="md">
                  No incidents match these filters.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {groupUnderParents(rows).map(({ incident: i, underParent }) => (
            <Table.Tr key={i.id} data-incident-id={i.id} data-under-parent={underParent?.id}>
              <Table.Td pl={underParent ? "xl" : undefined}>
                {underParent && (
                  <Text span size="sm" c="dimmed" aria-hidden>
                    {"↳ "}
                  </Text>
                )}
                <Link
                  to={href({ name: "incident", id: i.id })}
                  fw={600}
                  aria-label={`Incident of ${incidentName(i)}`}
                >
                  {incidentName(i)}
                </Link>
                {i.integrationType && (
                  <div>
                    <TypeBadge type={i.integrationType} size="sm" />
                  </div>
                )}
              </Table.Td>
              <Table.Td>
                <IncidentStateBadge state={i.state} size="sm" />
                <IncidentNoiseBadges
                  incident={i}
                  parentName={underParent ? incidentName(underParent) : undefined}
                />
              </Table.Td>
              <Table.Td maw={360}>
                <ErrorSummary incident={i} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" title={formatDateTime(i.openedAt)}>
                  {formatRelative(i.openedAt)}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatIncidentDuration(i.durationMs)}</Text>
              </Table.Td>
              <Table.Td>
                {canWrite ? (
                  <IncidentActions incident={i} name={incidentName(i)} onChanged={onChanged} />
                ) : (
                  <Link to={href({ name: "incident", id: i.id })} size="sm">
                    Timeline
                  </Link>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Phone layout: one card per incident. */
export function IncidentCards({ rows, canWrite, loading, onChanged }: RowsProps) {
  if (rows.length === 0 && !loading) {
    return (
      <Text c="dimmed" ta="center" py="md">
        No incidents match these filters.
      </Text>
    );
  }
  return (
    <Stack
      gap="xs"
      component="ul"
      style={{ listStyle: "none", padding: 0, margin: 0 }}
      aria-label="Incidents"
    >
      {groupUnderParents(rows).map(({ incident: i, underParent }) => (
        <Card
          key={i.id}
          withBorder
          padding="sm"
          component="li"
          data-incident-id={i.id}
          ml={underParent ? "lg" : undefined}
        >
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Link to={href({ name: "incident", id: i.id })} fw={600} style={{ minWidth: 0 }}>
              {incidentName(i)}
            </Link>
            <IncidentStateBadge state={i.state} size="sm" />
            <IncidentNoiseBadges
              incident={i}
              parentName={underParent ? incidentName(underParent) : undefined}
            />
          </Group>
          <ErrorSummary incident={i} />
          <Text size="xs" c="dimmed" mt={4}>
            Opened {formatRelative(i.openedAt)} · {formatIncidentDuration(i.durationMs)}
          </Text>
          {canWrite && (
            <Group mt="xs">
              <IncidentActions incident={i} name={incidentName(i)} onChanged={onChanged} />
            </Group>
          )}
        </Card>
      ))}
    </Stack>
  );
}
