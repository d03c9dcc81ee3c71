import { Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { IconCheck, IconNote } from "@tabler/icons-react";
import type { IncidentView } from "@hip/contracts";
import { useState } from "react";
import { ackIncident, addIncidentNote } from "../../lib/alerts-api.ts";
import { ApiError } from "../../lib/api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import { useUnresolvedIncidents } from "./use-incidents.tsx";

type Dialog = "ack" | "note" | null;

/**
 * Admin actions on one incident: acknowledge (optionally with a note; open incidents only) and add a note (also
 * after resolution, for the post-mortem). Used by the list rows and by the detail page; callers render it for
 * admins only (viewers read).
 */
export function IncidentActions({
  incident,
  name,
  onChanged,
  size = "xs",
}: {
  incident: IncidentView;
  /** What the dialogs call the incident ("Lab feed"). */
  name: string;
  onChanged: () => void;
  size?: "xs" | "sm";
}) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const badges = useUnresolvedIncidents();
  const canAck = incident.state === "open";
  const open = (d: Dialog) => {
    setText("");
    setError(null);
    setDialog(d);
  };

  const submit = async () => {
    if (dialog === "note" && !text.trim()) {
      setError("Write the note first");
      return;
    }
    setBusy(true);
    try {
      if (dialog === "ack") {
        await ackIncident(incident.id, text);
        notifySuccess("Incident acknowledged", `Reminders and escalation for ${name} are stopped`);
      } else {
        await addIncidentNote(incident.id, text);
        notifySuccess("Note added", `The note is on the timeline of ${name}`);
      }
      setDialog(null);
      onChanged();
      if (dialog === "ack") badges.reload();
    } catch (err) {
      const field =
        err instanceof ApiError
          ? err.details.find((d) => d.field === "text" || d.field === "note")
          : undefined;
      if (field) setError(field.message);
      else notifyError(dialog === "ack" ? "Error acknowledging incident" : "Error adding note", err);
      if (err instanceof ApiError && err.status === 409) {
        setDialog(null);
        onChanged();
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Group gap={6} wrap="nowrap">
      {canAck && (
        <Button
          size={size}
          variant="light"
          color="blue"
          leftSection={<IconCheck size={14} aria-hidden />}
          onClick={() => open("ack")}
          aria-label={`Acknowledge incident of ${name}`}
        >
          Acknowledge
        </Button>
      )}
      <Button
        size={size}
        variant="default"
        leftSection={<IconNote size={14} aria-hidden />}
        onClick={() => open("note")}
        aria-label={`Add note to incident of ${name}`}
      >
        Add note
      </Button>
      <Modal
        opened={dialog !== null}
        onClose={() => setDialog(null)}
        title={dialog === "ack" ? "Acknowledge incident" : "Add a note"}
        centered
      >
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <Stack>
            <Textarea
              label={dialog === "ack" ? "Note (optional)" : "Note"}
              description={
                dialog === "ack"
                  ? `Acknowledging ${name} stops reminders and escalation and tells PagerDuty and webhooks.`
                  : `Added to the timeline of ${name}.`
              }
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              error={error}
              autosize
              minRows={3}
              maxLength={dialog === "ack" ? 2000 : 4000}
              required={dialog === "note"}
              data-autofocus
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setDialog(null)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                {dialog === "ack" ? "Acknowledge" : "Add note"}
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Group>
  );
}
