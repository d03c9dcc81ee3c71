import { Button, Group, Select, Stack, Text, Title } from "@mantine/core";
import { useMediaQuery } from "@mantine/hooks";
import type { IncidentList } from "@hip/contracts";
import { useMemo, useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { listIncidents, listPolicies } from "../../lib/alerts-api.ts";
import { rememberName } from "../../lib/names.ts";
import { href, navigate, useLocation } from "../../lib/router.ts";
import type { Session } from "../../lib/session.ts";
import { fetchIntegrations } from "../../lib/stats-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { IncidentCards, IncidentTable } from "./IncidentTable.tsx";
import {
  INCIDENT_STATE_LABELS,
  INCIDENT_STATES,
  type IncidentListState,
  incidentStateFromSearch,
  incidentStateToSearch,
} from "./incident-state.ts";
import { NoPolicyNotice } from "./NoPolicyNotice.tsx";
import { useIncidentRefresh } from "./use-incidents.tsx";

const PAGE_SIZE = 25;

export function IncidentsView({ session }: { session: Session }) {
  const { search } = useLocation();
  const state = useMemo(() => incidentStateFromSearch(search), [search]);
  const [cursors, setCursors] = useState<string[]>([]);
  const isPhone = useMediaQuery("(max-width: 48em)");
  const cursor = cursors[cursors.length - 1];

  const update = (patch: Partial<IncidentListState>) => {
    setCursors([]);
    navigate(`${href({ name: "incidents" })}${incidentStateToSearch({ ...state, ...patch })}`, {
      replace: true,
    });
  };

  const page = useAsync(
    (signal): Promise<IncidentList> =>
      listIncidents(
        { state: state.state, integrationId: state.integrationId, limit: PAGE_SIZE, cursor },
        signal,
      ),
    [search, cursor],
  );
  useIncidentRefresh(page.reload, 15_000);
  const policies = useAsync((signal) => listPolicies(signal), []);
  const integrations = useAsync(async (signal) => {
    const list = await fetchIntegrations({ sort: "name", order: "asc", limit: 200 }, signal);
    for (const i of list.data) rememberName(i.id, i.name);
    return list.data.map((i) => ({ value: i.id, label: i.name }));
  }, []);

  const rows = page.data?.data ?? [];
  const nextCursor = page.data?.nextCursor ?? null;
  const pageNo = cursors.length + 1;
  const RowsView = isPhone ? IncidentCards : IncidentTable;

  return (
    <Stack gap="md">
      <Title order={1}>Incidents</Title>
      {policies.data && <NoPolicyNotice policies={policies.data} />}
      <Group gap="sm" align="flex-end" role="search" aria-label="Filter incidents" wrap="wrap">
        <Select
          label="State"
          placeholder="All (unresolved first)"
          clearable
          data={INCIDENT_STATES.map((s) => ({ value: s, label: INCIDENT_STATE_LABELS[s] }))}
          value={state.state}
          onChange={(v) => update({ state: INCIDENT_STATES.find((s) => s === v) ?? null })}
          style={{ flex: "1 1 160px" }}
        />
        <Select
          label="Integration"
          placeholder="All integrations"
          clearable
          searchable
          nothingFoundMessage="No integration with that name"
          data={integrations.data ?? []}
          value={state.integrationId}
          onChange={(v) => update({ integrationId: v })}
          style={{ flex: "2 1 240px" }}
        />
      </Group>
      {page.error ? (
        <ErrorAlert error={page.error} onRetry={page.reload} title="Error loading incidents" />
      ) : null}
      <div aria-live="polite" aria-busy={page.loading}>
        <Text size="sm" c="dimmed" data-testid="incidents-summary">
          {page.loading && !page.data
            ? "Loading…"
            : `${rows.length} incident${rows.length === 1 ? "" : "s"} on page ${pageNo}`}
        </Text>
      </div>
      <RowsView
        rows={rows}
        canWrite={session.isAdmin}
        loading={page.loading && !page.data}
        onChanged={page.reload}
      />
      <Group justify="space-between">
        <Text size="sm">Page {pageNo}</Text>
        <Group gap="xs">
          <Button
            variant="default"
            size="xs"
            disabled={cursors.length === 0}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous page
          </Button>
          <Button
            variant="default"
            size="xs"
            disabled={!nextCursor}
            onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}
          >
            Next page
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
