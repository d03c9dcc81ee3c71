import { Card, Group, Skeleton, Table, Text, Title } from "@mantine/core";
import type { IntegrationCurrentView, IntegrationView } from "@hip/contracts";
import { IconCircleCheck } from "@tabler/icons-react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { Link } from "../../components/Link.tsx";
import { StatusBadge, TypeBadge } from "../../components/badges.tsx";
import { formatRelative } from "../../lib/format.ts";
import { href } from "../../lib/router.ts";

/** One failing integration with its current health (the overview loads them; the table shows them). */
export interface FailingRow {
  integration: IntegrationView;
  current: IntegrationCurrentView | undefined;
}

export function FailingTable({
  rows,
  loading,
  error,
  onRetry,
}: {
  rows: FailingRow[] | null;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
}) {
  return (
    <Card withBorder style={{ borderLeft: "4px solid #fa5252" }}>
      <Title order={2} size="h4" mb="sm">
        Failing now
      </Title>
      {error ? <ErrorAlert error={error} onRetry={onRetry} /> : null}
      {loading && <Skeleton h={60} />}
      {rows && rows.length === 0 && (
        <Group gap="xs" c="green.8">
          <IconCircleCheck size={18} aria-hidden />
          <Text size="sm">No integration is failing.</Text>
        </Group>
      )}
      {rows && rows.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-label="Failing integrations" data-testid="failing-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last error</Table.Th>
                <Table.Th>Failing since</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(({ integration: i, current }) => (
                <Table.Tr key={i.id}>
                  <Table.Td>
                    <Link to={href({ name: "detail", id: i.id })}>{i.name}</Link>
                  </Table.Td>
                  <Table.Td>
                    <TypeBadge type={i.type} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={i.status} size="sm" />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2}>
                      {current?.lastError ?? i.lastError ?? "—"}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatRelative(current?.statusSince ?? i.updatedAt)}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
