import { Badge, Button, Card, Code, Group, Stack, Text } from "@mantine/core";
import { IconCircleCheck, IconCircleX, IconSend } from "@tabler/icons-react";
import type { ChannelTestResult, ChannelView } from "@hip/contracts";
import { Link } from "../../components/Link.tsx";
import { formatDateTime, formatLatency, formatRelative } from "../../lib/format.ts";
import { href } from "../../lib/router.ts";
import { CHANNEL_FIELDS, CHANNEL_LABELS } from "./channel-form.ts";
import { EditDeleteButtons } from "./EditDeleteButtons.tsx";

const OUTCOME_LABELS: Record<string, { text: string; color: string }> = {
  succeeded: { text: "Delivered", color: "green" },
  failed: { text: "Failed", color: "red" },
  pending: { text: "Pending", color: "yellow" },
  cancelled: { text: "Cancelled", color: "gray" },
};

/** The channel's settings as the API returns them: secrets are masks (the clear value never reaches the browser). */
function ChannelConfig({ channel }: { channel: ChannelView }) {
  return (
    <Stack gap={2}>
      {CHANNEL_FIELDS[channel.type].map((f) => {
        const v = channel.config[f.key];
        const shown = Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : null;
        return (
          <Text size="sm" key={f.key} style={{ wordBreak: "break-all" }}>
            {f.label}:{" "}
            {shown ? (
              f.secret ? (
                <Code data-testid="masked-secret">{shown}</Code>
              ) : (
                shown
              )
            ) : (
              <Text span c="dimmed" size="sm">
                {f.key === "url" && channel.type === "PAGERDUTY" ? "PagerDuty default" : "not set"}
              </Text>
            )}
          </Text>
        );
      })}
    </Stack>
  );
}

export function LastDelivery({ channel }: { channel: ChannelView }) {
  const d = channel.lastDelivery;
  if (!d)
    return (
      <Text size="sm" c="dimmed">
        No delivery yet
      </Text>
    );
  const o = OUTCOME_LABELS[d.outcome] ?? { text: d.outcome, color: "gray" };
  return (
    <Group gap={6} wrap="wrap" data-testid="last-delivery">
      <Text size="sm">Last delivery:</Text>
      <Badge size="sm" color={o.color} variant="light">
        {o.text}
      </Badge>
      <Text size="sm">
        {d.transition} · {formatRelative(d.at)}
        {d.statusCode !== null ? ` · HTTP ${d.statusCode}` : ""}
        {d.attempts > 1 ? ` · ${d.attempts} attempts` : ""}
        {d.error ? ` · ${d.error}` : ""}
      </Text>
      <Link to={href({ name: "incident", id: d.incidentId })} size="sm">
        incident
      </Link>
    </Group>
  );
}

export function TestOutcome({ result }: { result: ChannelTestResult }) {
  return (
    <Group gap={6} wrap="wrap" data-testid="channel-test-result">
      {result.ok ? (
        <Badge color="green" leftSection={<IconCircleCheck size={12} aria-hidden />}>
          Test delivered
        </Badge>
      ) : (
        <Badge color="red" leftSection={<IconCircleX size={12} aria-hidden />}>
          Test failed
        </Badge>
      )}
      <Text size="sm">
        {result.statusCode !== null
          ? `${result.channelType === "EMAIL" ? "SMTP" : "HTTP"} ${result.statusCode} · `
          : ""}
        {formatLatency(result.latencyMs)}
        {result.error ? ` · ${result.error.code}: ${result.error.message}` : ""}
      </Text>
    </Group>
  );
}

export function ChannelCard({
  channel,
  canWrite,
  testing,
  testResult,
  onTest,
  onEdit,
  onDelete,
}: {
  channel: ChannelView;
  canWrite: boolean;
  testing: boolean;
  testResult: ChannelTestResult | null;
  onTest: () => void;
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <Card
      withBorder
      padding="md"
      component="li"
      data-channel-id={channel.id}
      aria-label={`Channel ${channel.name}`}
    >
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <div style={{ minWidth: 0 }}>
          <Text fw={700} style={{ wordBreak: "break-word" }}>
            {channel.name}
          </Text>
          <Badge variant="light" size="sm" data-channel-type={channel.type}>
            {CHANNEL_LABELS[channel.type]}
          </Badge>
        </div>
        {canWrite && (
          <Group gap={6}>
            <Button
              size="xs"
              variant="light"
              leftSection={<IconSend size={14} aria-hidden />}
              loading={testing}
              onClick={onTest}
              aria-label={`Send a test through ${channel.name}`}
            >
              Test
            </Button>
            <EditDeleteButtons name={channel.name} onEdit={onEdit} onDelete={onDelete} />
          </Group>
        )}
      </Group>
      <Stack gap={6} mt="xs">
        <ChannelConfig channel={channel} />
        <LastDelivery channel={channel} />
        <div aria-live="polite">
          {testResult ? (
            <TestOutcome result={testResult} />
          ) : channel.lastTest ? (
            <Text size="sm" c="dimmed">
              Last test {channel.lastTest.ok ? "delivered" : `failed (${channel.lastTest.code ?? "error"})`}{" "}
              <span title={formatDateTime(channel.lastTest.at)}>{formatRelative(channel.lastTest.at)}</span>
            </Text>
          ) : null}
        </div>
      </Stack>
    </Card>
  );
}
