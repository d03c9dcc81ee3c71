import { Group, List, Skeleton, Stack, Text, Title } from "@mantine/core";
import type { IntegrationView } from "@hip/contracts";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { Link } from "../../components/Link.tsx";
import { StatusBadge } from "../../components/badges.tsx";
import { href } from "../../lib/router.ts";
import { fetchIntegrations } from "../../lib/stats-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { type DependencyLink, dependencyTree } from "./dependencies.ts";

/** At most this many integrations are read to find the children (5 pages of 200). */
const MAX_PAGES = 5;

function Links({ items, empty, label }: { items: DependencyLink[]; empty: string; label: string }) {
  if (items.length === 0)
    return (
      <Text size="sm" c="dimmed">
        {empty}
      </Text>
    );
  return (
    <List spacing={4} size="sm" aria-label={label}>
      {items.map((l) => (
        <List.Item key={l.id}>
          <Group gap="xs" wrap="nowrap">
            <Link to={href({ name: "detail", id: l.id })} size="sm">
              {l.name}
            </Link>
            {l.status && <StatusBadge status={l.status} />}
          </Group>
        </List.Item>
      ))}
    </List>
  );
}

/** The dependency tree around an integration: what it depends on, and what depends on it. */
export function DependenciesPanel({ integration }: { integration: IntegrationView }) {
  const all = useAsync(
    async (signal) => {
      const rows: IntegrationView[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await fetchIntegrations({ limit: 200, ...(cursor ? { cursor } : {}) }, signal);
        rows.push(...res.data);
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      return rows;
    },
    [integration.id, integration.version],
  );
  if (all.error) return <ErrorAlert error={all.error} onRetry={all.reload} />;
  if (!all.data) return <Skeleton h={80} aria-label="Loading dependencies" />;
  const tree = dependencyTree(integration, all.data);
  return (
    <Stack gap="sm" data-testid="dependencies-panel">
      <div>
        <Title order={3} size="h5">
          Depends on
        </Title>
        <Links items={tree.parents} empty="Nothing: alerts for it are never suppressed." label="Depends on" />
      </div>
      <div>
        <Title order={3} size="h5">
          Dependents
        </Title>
        <Links
          items={tree.children}
          empty="No integration depends on this one."
          label="Integrations that depend on this one"
        />
      </div>
    </Stack>
  );
}
