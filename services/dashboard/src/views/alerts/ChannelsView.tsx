import { Button, Group, Modal, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import type { ChannelTestResult, ChannelView } from "@hip/contracts";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { deleteChannel, listChannels, listPolicies, testChannel } from "../../lib/alerts-api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import type { Session } from "../../lib/session.ts";
import { useAsync } from "../../lib/use-async.ts";
import { ChannelCard } from "./ChannelCard.tsx";
import { ChannelFormModal } from "./ChannelFormModal.tsx";
import { NoPolicyNotice } from "./NoPolicyNotice.tsx";

export function ChannelsView({ session }: { session: Session }) {
  const channels = useAsync((signal) => listChannels(signal), []);
  const policies = useAsync((signal) => listPolicies(signal), []);
  const [form, setForm] = useState<{ editing: ChannelView | null } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<ChannelView | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [testing, setTesting] = useState<string | null>(null);
  const [results, setResults] = useState<Record<string, ChannelTestResult>>({});

  const runTest = async (c: ChannelView) => {
    setTesting(c.id);
    try {
      const result = await testChannel(c.id);
      setResults((r) => ({ ...r, [c.id]: result }));
    } catch (err) {
      notifyError("Error testing channel", err);
    } finally {
      setTesting(null);
    }
  };

  const remove = async () => {
    if (!confirmDelete) return;
    setDeleting(true);
    try {
      await deleteChannel(confirmDelete.id);
      notifySuccess("Channel deleted", `${confirmDelete.name} was deleted`);
      setConfirmDelete(null);
      channels.reload();
    } catch (err) {
      // 409 while a policy uses it: the message names the policies.
      notifyError("Error deleting channel", err);
    } finally {
      setDeleting(false);
    }
  };

  const list = channels.data ?? [];
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Alert channels</Title>
        {session.isAdmin && (
          <Button leftSection={<IconPlus size={16} aria-hidden />} onClick={() => setForm({ editing: null })}>
            New channel
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        Where incident notifications go. Policies decide which channels hear about which integrations.
      </Text>
      {policies.data && <NoPolicyNotice policies={policies.data} />}
      {channels.error ? (
        <ErrorAlert error={channels.error} onRetry={channels.reload} title="Error loading channels" />
      ) : null}
      {channels.loading && !channels.data ? (
        <Skeleton h={160} aria-label="Loading channels" />
      ) : list.length === 0 ? (
        <Text c="dimmed" py="md" data-testid="channels-empty">
          No channels yet.{session.isAdmin ? " Create one to start receiving notifications." : ""}
        </Text>
      ) : (
        <SimpleGrid
          cols={{ base: 1, md: 2 }}
          component="ul"
          style={{ listStyle: "none", padding: 0, margin: 0 }}
          aria-label="Alert channels"
          data-testid="channels-list"
        >
          {list.map((c) => (
            <ChannelCard
              key={c.id}
              channel={c}
              canWrite={session.isAdmin}
              testing={testing === c.id}
              testResult={results[c.id] ?? null}
              onTest={() => void runTest(c)}
              onEdit={() => setForm({ editing: c })}
              onDelete={() => setConfirmDelete(c)}
            />
          ))}
        </SimpleGrid>
      )}
      {session.isAdmin && (
        <ChannelFormModal
          opened={form !== null}
          editing={form?.editing ?? null}
          onClose={() => setForm(null)}
          onSaved={() => {
            setForm(null);
            channels.reload();
          }}
        />
      )}
      <Modal
        opened={confirmDelete !== null}
        onClose={() => setConfirmDelete(null)}
        title="Delete channel?"
        centered
      >
        <Stack>
          <Text size="sm">
            <b>{confirmDelete?.name}</b> will no longer receive notifications. A channel that a policy still
            uses cannot be deleted: remove it from those policies first.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(null)} data-autofocus>
              Cancel
            </Button>
            <Button color="red" onClick={remove} loading={deleting}>
              Delete channel
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
