import { Badge, Button, Card, Group, Stack, Text } from "@mantine/core";
import { IconEdit, IconTrash } from "@tabler/icons-react";
import type { ChannelView, PolicyView } from "@hip/contracts";
import { TYPE_LABELS } from "../../lib/palette.ts";
import { describeScope } from "./policy-form.ts";

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
            <Button
              size="xs"
              variant="default"
              leftSection={<IconEdit size={14} aria-hidden />}
              onClick={onEdit}
              aria-label={`Edit ${p.name}`}
            >
              Edit
            </Button>
            <Button
              size="xs"
              color="red"
              variant="light"
              leftSection={<IconTrash size={14} aria-hidden />}
              onClick={onDelete}
              aria-label={`Delete ${p.name}`}
            >
              Delete
            </Button>
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
