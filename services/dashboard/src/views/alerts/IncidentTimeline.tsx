import { Text, Timeline } from "@mantine/core";
import type { TimelineEntry } from "@hip/contracts";
import { formatDateTime } from "../../lib/format.ts";
import { describeTimelineEntry } from "./timeline.ts";

/** The incident's story in order: opened, each delivery attempt, ack, notes, resolved. */
export function IncidentTimeline({ entries }: { entries: readonly TimelineEntry[] }) {
  if (entries.length === 0) return <Text c="dimmed">No timeline entries yet.</Text>;
  return (
    <Timeline
      bulletSize={14}
      lineWidth={2}
      active={entries.length - 1}
      aria-label="Incident timeline"
      data-testid="incident-timeline"
    >
      {entries.map((e) => {
        const line = describeTimelineEntry(e);
        return (
          <Timeline.Item key={e.id} color={line.color} title={line.title} data-kind={e.kind}>
            {line.detail && (
              <Text size="sm" style={{ wordBreak: "break-word", whiteSpace: "pre-wrap" }}>
                {line.detail}
              </Text>
            )}
            <Text size="xs" c="dimmed">
              <time dateTime={e.at}>{formatDateTime(e.at)}</time>
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
