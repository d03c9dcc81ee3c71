import {
  Anchor,
  Breadcrumbs,
  Card,
  Code,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import type { IncidentDetail as IncidentDetailData } from "@hip/contracts";
import type { ReactNode } from "react";
import { useEffect } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { Link } from "../../components/Link.tsx";
import { TypeBadge } from "../../components/badges.tsx";
import { getIncident } from "../../lib/alerts-api.ts";
import { ApiError } from "../../lib/api.ts";
import { formatDateTime } from "../../lib/format.ts";
import { useLiveEvents } from "../../lib/live.tsx";
import { href, linkClick } from "../../lib/router.ts";
import type { Session } from "../../lib/session.ts";
import { useAsync, useThrottledCallback } from "../../lib/use-async.ts";
import { IncidentActions } from "./IncidentActions.tsx";
import { IncidentNoiseBadges, IncidentStateBadge } from "./IncidentBadge.tsx";
import { IncidentTimeline } from "./IncidentTimeline.tsx";
import { incidentName } from "./IncidentTable.tsx";
import { formatIncidentDuration } from "./timeline.ts";
import { anomalyLines } from "../traffic/traffic-model.ts";

const REASONS: Record<string, string> = {
  recovered: "recovered (active again)",
  inactive: "integration set inactive",
  deleted: "integration deleted",
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w="40%">
        <Text size="sm">{label}</Text>
      </Table.Th>
      <Table.Td>
        <Text size="sm" component="div">
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

export function IncidentDetail({ id, session }: { id: string; session: Session }) {
  const incident = useAsync((signal): Promise<IncidentDetailData> => getIncident(id, signal), [id]);
  const reload = useThrottledCallback(incident.reload, 1500);
  const unresolved = incident.data ? incident.data.state !== "resolved" : false;
  const integrationId = incident.data?.integrationId;

  // Deliveries and acks by others arrive without a stream event: poll while the incident is unresolved.
  useEffect(() => {
    if (!unresolved) return;
    const t = setInterval(incident.reload, 10_000);
    return () => clearInterval(t);
  }, [unresolved, incident.reload]);
  useLiveEvents((e) => {
    if (e.type === "reset" || (e.type === "status" && e.integrationId === integrationId)) reload();
  });

  if (incident.error) {
    const notFound = incident.error instanceof ApiError && incident.error.status === 404;
    return (
      <Stack>
        <Title order={1}>{notFound ? "Incident not found" : "Incident"}</Title>
        <ErrorAlert error={incident.error} onRetry={notFound ? undefined : incident.reload} />
        <Anchor href={href({ name: "incidents" })} onClick={linkClick(href({ name: "incidents" }))}>
          Back to incidents
        </Anchor>
      </Stack>
    );
  }
  if (!incident.data) return <Skeleton h={300} aria-label="Loading incident" />;
  const i = incident.data;
  const name = incidentName(i);

  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="Breadcrumb">
        <Link to={href({ name: "incidents" })} size="sm">
          Incidents
        </Link>
        <Text size="sm" aria-current="page">
          {name}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={1} style={{ wordBreak: "break-word" }}>
            Incident: {name}
          </Title>
          <Group gap="xs" mt={4}>
            <IncidentStateBadge state={i.state} />
            <IncidentNoiseBadges incident={i} size="md" />
            {i.integrationType && <TypeBadge type={i.integrationType} />}
            <Text size="sm" c="dimmed" data-testid="incident-duration">
              {i.state === "resolved" ? "Lasted" : "Open for"} {formatIncidentDuration(i.durationMs)}
            </Text>
          </Group>
        </div>
        {/* Notes stay possible after resolution: they serve the post-mortem. */}
        {session.isAdmin && (
          <IncidentActions incident={i} name={name} onChanged={incident.reload} size="sm" />
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Summary
          </Title>
          <Table verticalSpacing={4} aria-label="Incident summary">
            <Table.Tbody>
              <Fact label="Integration">
                {i.state === "resolved" && i.resolveReason === "deleted" ? (
                  name
                ) : (
                  <Link to={href({ name: "detail", id: i.integrationId })}>{name}</Link>
                )}
              </Fact>
              <Fact label="Opened">{formatDateTime(i.openedAt)}</Fact>
              <Fact label="Acknowledged">
                {i.acknowledgedAt
                  ? `${formatDateTime(i.acknowledgedAt)} by ${i.acknowledgedBy ?? "?"}`
                  : "not yet"}
              </Fact>
              <Fact label="Resolved">
                {i.resolvedAt
                  ? `${formatDateTime(i.resolvedAt)}${i.resolveReason ? ` — ${REASONS[i.resolveReason] ?? i.resolveReason}` : ""}`
                  : "still open"}
              </Fact>
              <Fact label="Duration">{formatIncidentDuration(i.durationMs)}</Fact>
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            {i.kind && i.kind !== "STATUS" ? "Traffic anomaly" : "Failing check"}
          </Title>
          {i.error ? (
            <Stack gap={4} data-testid="incident-error">
              <Group gap="xs">
                <Code>{i.error.code}</Code>
                {i.error.stage && <Text size="sm">stage {i.error.stage}</Text>}
              </Group>
              <Text size="sm" style={{ wordBreak: "break-word" }}>
                {i.error.message}
              </Text>
              {i.anomaly && (
                <Stack gap={2} data-testid="incident-anomaly">
                  <Text size="sm">Since {formatDateTime(i.anomaly.since)}</Text>
                  {anomalyLines(i.anomaly).map(([label, value]) => (
                    <Text key={label} size="sm">
                      {label}: {value}
                    </Text>
                  ))}
                </Stack>
              )}
            </Stack>
          ) : (
            <Text size="sm" c="dimmed">
              The probe error was not recorded.
            </Text>
          )}
        </Card>
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Timeline
        </Title>
        <div aria-live="polite">
          <IncidentTimeline entries={i.timeline} />
        </div>
      </Card>
    </Stack>
  );
}
