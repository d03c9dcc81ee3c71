import { Badge, Card, Group, Stack, Text } from "@mantine/core";
import type { ChannelView, PolicyView } from "@hip/contracts";
import { TYPE_LABELS } from "../../lib/palette.ts";
import { describeScope } from "./policy-form.ts";
import { EditDeleteButtons } from "./EditDeleteButtons.tsx";

const channelNames = (ids: readonly string[], channels: readonly ChannelView[]) =>
  ids.map((id) => channels.find((c) => c.id === id)?.name ?? `channel ${id.slice(0, 8)}`).join(", ");

export function PolicyCard({
  policy: p,
  channels,
  canWrite,
  onEdit,
  onDelete,
}: {
  policy: PolicyView;
  channels: readonly ChannelView[];
  canWrite: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <Card withBorder padding="md" component="li" data-policy-id={p.id} aria-label={`Policy ${p.name}`}>
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Group gap="xs">
          <Text fw={700} style={{ wordBreak: "break-word" }}>
            {p.name}
          </Text>
          <Badge size="sm" color={p.enabled ? "green" : "gray"} variant="light">
            {p.enabled ? "Enabled" : "Disabled"}
          </Badge>
        </Group>
        {canWrite && (
          <Group gap={6}>
            <EditDeleteButtons name={p.name} onEdit={onEdit} onDelete={onDelete} />
          </Group>
        )}
      </Group>
      <Stack gap={2} mt="xs">
        <Text size="sm">{describeScope(p.integrations, (t) => TYPE_LABELS[t])}</Text>
        <Text size="sm">Notifies: {channelNames(p.channelIds, channels)}</Text>
        <Text size="sm" c="dimmed">
          {p.notifyOnResolve ? "Also when resolved" : "Not when resolved"} ·{" "}
          {p.renotifyMinutes ? `reminds every ${p.renotifyMinutes} min until acknowledged` : "no reminders"}
        </Text>
        <Text size="sm" c="dimmed">
          {p.escalation
            ? `Escalates after ${p.escalation.afterMinutes} min to ${channelNames(p.escalation.channelIds, channels)}`
            : "No escalation"}
        </Text>
      </Stack>
    </Card>
  );
}
