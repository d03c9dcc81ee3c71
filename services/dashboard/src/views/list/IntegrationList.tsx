import { Button, Group, Stack, Text, Title } from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { IconPlus } from "@tabler/icons-react";
import type { IntegrationCurrentView, IntegrationList as IntegrationListData } from "@hip/contracts";
import { useEffect, useMemo, useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { useLiveEvents } from "../../lib/live.tsx";
import { rememberName } from "../../lib/names.ts";
import { href, linkClick, navigate, useLocation } from "../../lib/router.ts";
import type { Session } from "../../lib/session.ts";
import { fetchCurrentViews, fetchIntegrations } from "../../lib/stats-api.ts";
import { useAsync, useThrottledCallback } from "../../lib/use-async.ts";
import { useUnresolvedIncidents } from "../alerts/use-incidents.tsx";
import { ListFilters } from "./ListFilters.tsx";
import { type ListState, listStateFromSearch, listStateToSearch, type SortField } from "./list-state.ts";
import { IntegrationCards, IntegrationTable } from "./IntegrationTable.tsx";

interface Page {
  list: IntegrationListData;
  current: Map<string, IntegrationCurrentView>;
}

export function IntegrationList({ session }: { session: Session }) {
  const { search } = useLocation();
  const state = useMemo(() => listStateFromSearch(search), [search]);
  const [query, setQuery] = useState(state.q);
  const [debouncedQuery] = useDebouncedValue(query, 300);
  // Cursor stack: cursors[i] opens page i+1; page 0 has none.
  const [cursors, setCursors] = useState<string[]>([]);
  const isPhone = useMediaQuery("(max-width: 48em)");

  const update = (patch: Partial<ListState>) => {
    setCursors([]);
    navigate(`${href({ name: "list" })}${listStateToSearch({ ...state, ...patch })}`, { replace: true });
  };

  useEffect(() => {
    if (debouncedQuery !== state.q) update({ q: debouncedQuery });
  }, [debouncedQuery]);

  const cursor = cursors[cursors.length - 1];
  const page = useAsync(
    async (signal): Promise<Page> => {
      const list = await fetchIntegrations(
        {
          type: state.type ?? undefined,
          status: state.status ?? undefined,
          q: state.q || undefined,
          sort: state.sort,
          order: state.order,
          limit: state.limit,
          cursor,
        },
        signal,
      );
      for (const i of list.data) rememberName(i.id, i.name);
      const current = await fetchCurrentViews(
        list.data.map((i) => i.id),
        signal,
      ).catch(() => new Map<string, IntegrationCurrentView>());
      return { list, current };
    },
    [search, cursor],
  );

  const incidents = useUnresolvedIncidents().byIntegration ?? undefined;
  const reload = useThrottledCallback(page.reload, 1500);
  useLiveEvents((e) => {
    if (e.type === "integration" || e.type === "reset") return reload();
    if (e.type === "status") {
      page.setData((prev) => {
        if (!prev?.list.data.some((i) => i.id === e.integrationId)) return prev;
        const data = prev.list.data.map((i) =>
          i.id === e.integrationId ? { ...i, status: e.to, lastError: e.lastError } : i,
        );
        return { ...prev, list: { ...prev.list, data } };
      });
    }
    if (e.type === "probe") {
      page.setData((prev) => {
        const row = prev?.current.get(e.integrationId);
        if (!prev || !row) return prev;
        const current = new Map(prev.current);
        current.set(e.integrationId, {
          ...row,
          lastCheckAt: e.checkedAt,
          lastCheckSuccess: e.success,
          lastLatencyMs: e.latencyMs,
        });
        return { ...prev, current };
      });
    }
  });

  const onSort = (field: SortField) =>
    update({ sort: field, order: state.sort === field && state.order === "asc" ? "desc" : "asc" });
  const rows = page.data?.list.data ?? [];
  const pageNo = cursors.length + 1;
  const nextCursor = page.data?.list.nextCursor ?? null;

  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Integrations</Title>
        {session.isAdmin && (
          <Button
            component="a"
            href={href({ name: "create" })}
            onClick={linkClick(href({ name: "create" }))}
            leftSection={<IconPlus size={16} aria-hidden />}
          >
            New integration
          </Button>
        )}
      </Group>
      <ListFilters state={state} query={query} onQuery={setQuery} onChange={update} />
      {page.error ? (
        <ErrorAlert error={page.error} onRetry={page.reload} title="Error loading integrations" />
      ) : null}
      <div aria-live="polite" aria-busy={page.loading}>
        <Text size="sm" c="dimmed" data-testid="list-summary">
          {page.loading && !page.data
            ? "Loading…"
            : `${rows.length} integration${rows.length === 1 ? "" : "s"} on page ${pageNo}${state.q ? ` matching “${state.q}”` : ""}`}
        </Text>
      </div>
      {isPhone ? (
        <IntegrationCards rows={rows} current={page.data?.current} incidents={incidents} />
      ) : (
        <IntegrationTable
          rows={rows}
          current={page.data?.current}
          incidents={incidents}
          state={state}
          onSort={onSort}
          loading={page.loading}
        />
      )}
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
