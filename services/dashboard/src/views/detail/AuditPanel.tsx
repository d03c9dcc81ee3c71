import { Code, Skeleton, Spoiler, Text, Timeline } from "@mantine/core";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { formatDateTime } from "../../lib/format.ts";
import type { AuditEntryView } from "@hip/contracts";
import { listAudit } from "../../lib/integration-api.ts";
import { useAsync } from "../../lib/use-async.ts";

/** Field names whose value differs between the entry's before and after snapshots (secrets arrive redacted). */
function changedFields(entry: AuditEntryView): string[] {
  const before = entry.before ?? {};
  const after = entry.after ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter(
    (k) => !["updatedAt", "version"].includes(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

export function AuditPanel({ id, version }: { id: string; version: number }) {
  const audit = useAsync((signal) => listAudit(id, signal), [id, version]);
  if (audit.error)
    return <ErrorAlert error={audit.error} onRetry={audit.reload} title="Error loading audit trail" />;
  if (!audit.data) return <Skeleton h={80} />;
  if (audit.data.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No audit entries.
      </Text>
    );
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="audit-trail">
      {audit.data.map((entry) => {
        const fields = changedFields(entry);
        return (
          <Timeline.Item key={entry.id} title={`${entry.action} by ${entry.actor}`}>
            <Text size="xs" c="dimmed">
              {formatDateTime(entry.at)}
              {entry.requestId ? ` · request ${entry.requestId}` : ""}
              {entry.clientIp ? ` · ${entry.clientIp}` : ""}
            </Text>
            {fields.length > 0 && <Text size="sm">Changed: {fields.join(", ")}</Text>}
            {(entry.before !== null || entry.after !== null) && (
              <Spoiler maxHeight={0} showLabel="Show details" hideLabel="Hide details">
                <Code block>{JSON.stringify({ before: entry.before, after: entry.after }, null, 2)}</Code>
              </Spoiler>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
