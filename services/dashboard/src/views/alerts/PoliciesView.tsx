import { Button, Group, Modal, SimpleGrid, Skeleton, Stack, Text, Title } from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import type { PolicyView } from "@hip/contracts";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { Link } from "../../components/Link.tsx";
import { deletePolicy, listChannels, listPolicies } from "../../lib/alerts-api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import { href } from "../../lib/router.ts";
import type { Session } from "../../lib/session.ts";
import { fetchIntegrations } from "../../lib/stats-api.ts";
import { useAsync } from "../../lib/use-async.ts";
import { NoPolicyNotice } from "./NoPolicyNotice.tsx";
import { PolicyFormModal } from "./PolicyFormModal.tsx";
import { PolicyCard } from "./PolicyList.tsx";

export function PoliciesView({ session }: { session: Session }) {
  const policies = useAsync((signal) => listPolicies(signal), []);
  const channels = useAsync((signal) => listChannels(signal), []);
  const integrations = useAsync(async (signal) => {
    if (!session.isAdmin) return [];
    const list = await fetchIntegrations({ sort: "name", order: "asc", limit: 200 }, signal);
    return list.data.map((i) => ({ value: i.id, label: i.name }));
  }, []);
  const [form, setForm] = useState<{ editing: PolicyView | null } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<PolicyView | null>(null);
  const [deleting, setDeleting] = useState(false);

  const remove = async () => {
    if (!confirmDelete) return;
    setDeleting(true);
    try {
      await deletePolicy(confirmDelete.id);
      notifySuccess("Policy deleted", `${confirmDelete.name} was deleted`);
      setConfirmDelete(null);
      policies.reload();
    } catch (err) {
      notifyError("Error deleting policy", err);
    } finally {
      setDeleting(false);
    }
  };

  const list = policies.data ?? [];
  const channelList = channels.data ?? [];
  const noChannels = channels.data !== null && channelList.length === 0;
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Alert policies</Title>
        {session.isAdmin && (
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setForm({ editing: null })}
            disabled={noChannels}
          >
            New policy
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        A policy sends the incidents of some integrations to some channels. An integration no enabled policy
        covers notifies nobody.
      </Text>
      {policies.data && <NoPolicyNotice policies={policies.data} linkToPolicies={false} />}
      {session.isAdmin && noChannels && (
        <Text size="sm">
          A policy needs a channel: <Link to={href({ name: "channels" })}>create an alert channel</Link>{" "}
          first.
        </Text>
      )}
      {policies.error ? (
        <ErrorAlert error={policies.error} onRetry={policies.reload} title="Error loading policies" />
      ) : null}
      {policies.loading && !policies.data ? (
        <Skeleton h={160} aria-label="Loading policies" />
      ) : list.length > 0 ? (
        <SimpleGrid
          cols={{ base: 1, md: 2 }}
          component="ul"
          style={{ listStyle: "none", padding: 0, margin: 0 }}
          aria-label="Alert policies"
          data-testid="policies-list"
        >
          {list.map((p) => (
            <PolicyCard
              key={p.id}
              policy={p}
              channels={channelList}
              canWrite={session.isAdmin}
              onEdit={() => setForm({ editing: p })}
              onDelete={() => setConfirmDelete(p)}
            />
          ))}
        </SimpleGrid>
      ) : null}
      {session.isAdmin && (
        <PolicyFormModal
          opened={form !== null}
          editing={form?.editing ?? null}
          channels={channelList}
          integrations={integrations.data ?? []}
          onClose={() => setForm(null)}
          onSaved={() => {
            setForm(null);
            policies.reload();
          }}
        />
      )}
      <Modal
        opened={confirmDelete !== null}
        onClose={() => setConfirmDelete(null)}
        title="Delete policy?"
        centered
      >
        <Stack>
          <Text size="sm">
            <b>{confirmDelete?.name}</b> will stop routing notifications. Incidents opened afterwards notify
            only through the remaining policies.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(null)} data-autofocus>
              Cancel
            </Button>
            <Button color="red" onClick={remove} loading={deleting}>
              Delete policy
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
