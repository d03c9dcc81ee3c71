import { Anchor, Breadcrumbs, Group, Skeleton, Stack, Tabs, Text, Title } from "@mantine/core";
import type { IntegrationView } from "@hip/contracts";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { StatusBadge, TypeBadge } from "../../components/badges.tsx";
import { ApiError } from "../../lib/api.ts";
import { getIntegration, type Versioned } from "../../lib/integration-api.ts";
import { useLiveEvents } from "../../lib/live.tsx";
import { rememberName } from "../../lib/names.ts";
import { href, linkClick, navigate } from "../../lib/router.ts";
import type { Session } from "../../lib/session.ts";
import { useAsync, useThrottledCallback } from "../../lib/use-async.ts";
import { AlertCoverage } from "../alerts/AlertCoverage.tsx";
import { OpenIncidentBadge } from "../alerts/IncidentBadge.tsx";
import { MaintenanceBanner } from "../alerts/MaintenanceBanner.tsx";
import { useUnresolvedIncidents } from "../alerts/use-incidents.tsx";
import { AuditPanel } from "./AuditPanel.tsx";
import { ConfigPanel } from "./ConfigPanel.tsx";
import { DependenciesPanel } from "./DependenciesPanel.tsx";
import { DetailActions } from "./DetailActions.tsx";
import { TrafficPanel } from "../traffic/TrafficPanel.tsx";
import { HealthPanel } from "./HealthPanel.tsx";
import { TestConnectionPanel } from "./TestConnectionPanel.tsx";
import { TestsPanel } from "./TestsPanel.tsx";

export function IntegrationDetail({ id, session }: { id: string; session: Session }) {
  const record = useAsync(
    async (signal): Promise<Versioned<IntegrationView>> => {
      const r = await getIntegration(id, signal);
      rememberName(r.value.id, r.value.name);
      return r;
    },
    [id],
  );
  const openIncident = useUnresolvedIncidents().byIntegration?.get(id);
  const [healthTick, setHealthTick] = useState(0);
  const [testsTick, setTestsTick] = useState(0);
  const reloadRecord = useThrottledCallback(record.reload, 1000);
  const reloadHealth = useThrottledCallback(() => setHealthTick((t) => t + 1), 2000);

  useLiveEvents((e) => {
    if (e.type === "reset") {
      reloadRecord();
      reloadHealth();
      return;
    }
    if (e.integrationId !== id) return;
    if (e.type === "status") {
      // Show the new status at once; the full record (lastError, version) follows.
      record.setData((prev) =>
        prev ? { ...prev, value: { ...prev.value, status: e.to, lastError: e.lastError } } : prev,
      );
      reloadRecord();
    }
    if (e.type === "integration" && e.action === "updated") reloadRecord();
    if (e.type === "integration" && e.action === "deleted") {
      notifications.show({ title: "Integration deleted", message: `${e.name} was deleted`, color: "gray" });
      navigate(href({ name: "list" }), { replace: true });
    }
    if (e.type === "probe" || e.type === "status") reloadHealth();
    if (e.type === "probe" && e.trigger === "manual") setTestsTick((t) => t + 1);
  });

  if (record.error) {
    const notFound = record.error instanceof ApiError && record.error.status === 404;
    return (
      <Stack>
        <Title order={1}>{notFound ? "Integration not found" : "Integration"}</Title>
        <ErrorAlert error={record.error} onRetry={notFound ? undefined : record.reload} />
        <Anchor href={href({ name: "list" })} onClick={linkClick(href({ name: "list" }))}>
          Back to integrations
        </Anchor>
      </Stack>
    );
  }
  if (!record.data) return <Skeleton h={300} aria-label="Loading integration" />;
  const i = record.data.value;

  return (
    <Stack gap="md">
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor href={href({ name: "list" })} onClick={linkClick(href({ name: "list" }))} size="sm">
          Integrations
        </Anchor>
        <Text size="sm" aria-current="page">
          {i.name}
        </Text>
      </Breadcrumbs>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="sm">
        <div style={{ minWidth: 0 }}>
          <Title order={1} style={{ wordBreak: "break-word" }}>
            {i.name}
          </Title>
          <Group gap="xs" mt={4}>
            <TypeBadge type={i.type} />
            <StatusBadge status={i.status} />
            {openIncident && <OpenIncidentBadge incident={openIncident} />}
            {i.provider && (
              <Text size="sm" c="dimmed">
                {i.provider}
              </Text>
            )}
          </Group>
        </div>
        {session.isAdmin && (
          <DetailActions
            record={record.data}
            onChanged={(next) => record.setData(() => next)}
            onReload={record.reload}
          />
        )}
      </Group>
      {i.status === "ERROR" && i.lastError && (
        <Text size="sm" c="red.8" role="status" data-testid="last-error">
          Last error: {i.lastError}
        </Text>
      )}
      {i.status !== "INACTIVE" && <AlertCoverage integration={i} />}
      <MaintenanceBanner integration={i} />
      <TestConnectionPanel
        integrationId={i.id}
        canRun={session.isAdmin}
        onFinished={() => {
          setTestsTick((t) => t + 1);
          reloadHealth();
          reloadRecord();
        }}
      />
      <Tabs defaultValue="health" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="health">Health</Tabs.Tab>
          <Tabs.Tab value="traffic">Traffic</Tabs.Tab>
          <Tabs.Tab value="config">Configuration</Tabs.Tab>
          <Tabs.Tab value="tests">Connection tests</Tabs.Tab>
          <Tabs.Tab value="dependencies">Dependencies</Tabs.Tab>
          {session.isAdmin && <Tabs.Tab value="audit">Audit trail</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="health" pt="md">
          <HealthPanel id={i.id} tick={healthTick} />
        </Tabs.Panel>
        <Tabs.Panel value="traffic" pt="md">
          <TrafficPanel id={i.id} expectations={i.trafficExpectations} />
        </Tabs.Panel>
        <Tabs.Panel value="config" pt="md">
          <ConfigPanel integration={i} />
        </Tabs.Panel>
        <Tabs.Panel value="tests" pt="md">
          <TestsPanel id={i.id} tick={testsTick} />
        </Tabs.Panel>
        <Tabs.Panel value="dependencies" pt="md">
          <DependenciesPanel integration={i} />
        </Tabs.Panel>
        {session.isAdmin && (
          <Tabs.Panel value="audit" pt="md">
            <AuditPanel id={i.id} version={i.version} />
          </Tabs.Panel>
        )}
      </Tabs>
    </Stack>
  );
}
