import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Textarea,
  TextInput,
} from "@mantine/core";
import type { ChannelView } from "@hip/contracts";
import { useEffect, useState } from "react";
import { createChannel, updateChannel } from "../../lib/alerts-api.ts";
import { ApiError } from "../../lib/api.ts";
import { mapIssuesToFields } from "../../lib/field-errors.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import {
  CHANNEL_FIELDS,
  CHANNEL_LABELS,
  CHANNEL_TYPES,
  type ChannelField,
  type ChannelFormValues,
  channelFormFromView,
  emptyChannelForm,
  storedMask,
  toCreateChannelBody,
  toUpdateChannelBody,
  validateChannelForm,
} from "./channel-form.ts";

const FORM_FIELDS = new Set(["name", "config.url", "config.secret", "config.routingKey", "config.to"]);

/** Create (editing = null) or edit a channel. Secret inputs start empty; the stored value shows only as its mask. */
export function ChannelFormModal({
  opened,
  editing,
  onClose,
  onSaved,
}: {
  opened: boolean;
  editing: ChannelView | null;
  onClose: () => void;
  onSaved: (channel: ChannelView) => void;
}) {
  const [values, setValues] = useState<ChannelFormValues>(emptyChannelForm());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setValues(editing ? channelFormFromView(editing) : emptyChannelForm());
    setErrors({});
    setFormError(null);
  }, [opened, editing]);

  const set = (patch: Partial<ChannelFormValues>) => setValues((v) => ({ ...v, ...patch }));

  const submit = async () => {
    const local = validateChannelForm(values, editing);
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    try {
      const saved = editing
        ? await updateChannel(editing.id, toUpdateChannelBody(values, editing))
        : await createChannel(toCreateChannelBody(values));
      notifySuccess(
        editing ? "Channel saved" : "Channel created",
        `${saved.name} (${CHANNEL_LABELS[saved.type]})`,
      );
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const mapped = mapIssuesToFields(err.details, FORM_FIELDS);
        setErrors(mapped.fields);
        if (mapped.unmatched.length)
          setFormError(mapped.unmatched.map((i) => `${i.field}: ${i.message}`).join("; "));
      } else if (err instanceof ApiError && err.status === 409) {
        setErrors({ name: err.message });
      }
      notifyError(editing ? "Error saving channel" : "Error creating channel", err);
    } finally {
      setSaving(false);
    }
  };

  const input = (f: ChannelField) => {
    const error = errors[`config.${f.key}`];
    const mask = f.secret ? storedMask(editing, f.key) : null;
    const description = mask ? `${f.hint}. Stored: ${mask} — leave empty to keep it.` : f.hint;
    const required = f.required && !mask;
    if (f.key === "to") {
      return (
        <Textarea
          key={f.key}
          label={f.label}
          description={f.hint}
          value={values.to}
          onChange={(e) => set({ to: e.currentTarget.value })}
          error={error}
          required={required}
          autosize
          minRows={2}
        />
      );
    }
    const Input = f.key === "url" ? TextInput : PasswordInput;
    return (
      <Stack gap={4} key={f.key}>
        <Input
          label={f.label}
          description={description}
          value={values[f.key]}
          onChange={(e) => set({ [f.key]: e.currentTarget.value })}
          error={error}
          required={required}
          autoComplete="off"
          spellCheck={false}
          placeholder={mask ? "unchanged" : undefined}
          disabled={f.key === "secret" && values.removeSecret}
        />
        {f.key === "secret" && editing?.secretsSet.secret && (
          <Checkbox
            label="Remove the signing secret (send unsigned)"
            checked={values.removeSecret}
            onChange={(e) => set({ removeSecret: e.currentTarget.checked, secret: "" })}
          />
        )}
      </Stack>
    );
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit channel ${editing.name}` : "New alert channel"}
      centered
      size="lg"
    >
      <form
        aria-label={editing ? "Edit channel" : "New channel"}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={values.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.name}
            required
            maxLength={120}
            data-autofocus
          />
          <Select
            label="Channel type"
            data={CHANNEL_TYPES.map((t) => ({ value: t, label: CHANNEL_LABELS[t] }))}
            value={values.type}
            allowDeselect={false}
            disabled={editing !== null}
            description={editing ? "The type of a channel cannot change" : undefined}
            onChange={(v) => {
              const type = CHANNEL_TYPES.find((t) => t === v);
              if (type) setValues((prev) => ({ ...emptyChannelForm(type), name: prev.name }));
            }}
          />
          {CHANNEL_FIELDS[values.type].map(input)}
          {formError && (
            <Alert color="red" role="alert">
              {formError}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {editing ? "Save channel" : "Create channel"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
