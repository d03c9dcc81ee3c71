import { Button, Group, Modal, Stack, Switch, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconEdit, IconTrash } from "@tabler/icons-react";
import type { IntegrationView } from "@hip/contracts";
import { useState } from "react";
import { ApiError } from "../../lib/api.ts";
import { deleteIntegration, updateIntegration, type Versioned } from "../../lib/integration-api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import { href, linkClick, navigate } from "../../lib/router.ts";

/** Admin actions: enable/disable, edit, delete (with confirmation). */
export function DetailActions({
  record,
  onChanged,
  onReload,
}: {
  record: Versioned<IntegrationView>;
  onChanged: (next: Versioned<IntegrationView>) => void;
  onReload: () => void;
}) {
  const i = record.value;
  const [toggling, setToggling] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [confirmOpen, confirm] = useDisclosure(false);
  const enabled = i.status !== "INACTIVE";

  const toggle = async () => {
    setToggling(true);
    try {
      const next = await updateIntegration(i.id, { status: enabled ? "INACTIVE" : "ACTIVE" }, record.etag);
      onChanged(next);
      notifySuccess(
        enabled ? "Integration disabled" : "Integration enabled",
        `${i.name} is now ${next.value.status.toLowerCase()}`,
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) {
        notifyError(
          "Changed elsewhere",
          err,
          "Someone else changed this integration; reloaded the latest version.",
        );
        onReload();
      } else notifyError("Error updating status", err);
    } finally {
      setToggling(false);
    }
  };

  const remove = async () => {
    setDeleting(true);
    try {
      await deleteIntegration(i.id, record.etag);
      notifySuccess("Integration deleted", `${i.name} was deleted`);
      confirm.close();
      navigate(href({ name: "list" }));
    } catch (err) {
      notifyError("Error deleting integration", err);
      setDeleting(false);
    }
  };

  return (
    <Group gap="sm" wrap="wrap">
      <Switch
        label={enabled ? "Enabled" : "Disabled"}
        checked={enabled}
        disabled={toggling}
        onChange={toggle}
        aria-label="Integration enabled"
        data-testid="status-toggle"
      />
      <Button
        component="a"
        variant="default"
        href={href({ name: "edit", id: i.id })}
        onClick={linkClick(href({ name: "edit", id: i.id }))}
        leftSection={<IconEdit size={16} aria-hidden />}
      >
        Edit
      </Button>
      <Button
        color="red"
        variant="light"
        onClick={confirm.open}
        leftSection={<IconTrash size={16} aria-hidden />}
      >
        Delete
      </Button>
      <Modal opened={confirmOpen} onClose={confirm.close} title="Delete integration?" centered>
        <Stack>
          <Text size="sm">
            <b>{i.name}</b> and its schedule will be removed. Health checks stop at once. This cannot be
            undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close} data-autofocus>
              Cancel
            </Button>
            <Button color="red" onClick={remove} loading={deleting}>
              Delete integration
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Group>
  );
}
