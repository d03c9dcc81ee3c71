import {
  Alert,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import type { ChannelView, PolicyView } from "@hip/contracts";
import { useEffect, useState } from "react";
import { createPolicy, updatePolicy } from "../../lib/alerts-api.ts";
import { ApiError } from "../../lib/api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import { INTEGRATION_TYPES, TYPE_LABELS } from "../../lib/palette.ts";
import {
  emptyPolicyForm,
  type PolicyFormErrors,
  type PolicyFormValues,
  policyFormFromView,
  type ScopeKind,
  toPolicyBody,
  validatePolicyForm,
} from "./policy-form.ts";

/** API field paths ("channelIds.0", "escalation.afterMinutes", "integrations.types") onto the form's groups. */
export function policyErrorField(path: string): keyof PolicyFormErrors | null {
  const head = path.split(".")[0];
  if (
    head === "name" ||
    head === "channelIds" ||
    head === "integrations" ||
    head === "renotifyMinutes" ||
    head === "escalation" ||
    head === "flapping" ||
    head === "expiryDays" ||
    head === "dependencyGraceMinutes"
  )
    return head;
  return null;
}

export function PolicyFormModal({
  opened,
  editing,
  channels,
  integrations,
  onClose,
  onSaved,
}: {
  opened: boolean;
  editing: PolicyView | null;
  channels: readonly ChannelView[];
  integrations: ReadonlyArray<{ value: string; label: string }>;
  onClose: () => void;
  onSaved: () => void;
}) {
  const [v, setValues] = useState<PolicyFormValues>(emptyPolicyForm());
  const [errors, setErrors] = useState<PolicyFormErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!opened) return;
    setValues(editing ? policyFormFromView(editing) : emptyPolicyForm());
    setErrors({});
    setFormError(null);
  }, [opened, editing]);

  const set = (patch: Partial<PolicyFormValues>) => setValues((prev) => ({ ...prev, ...patch }));
  const channelOptions = channels.map((c) => ({ value: c.id, label: c.name }));
  // Ids the list does not know (deleted integrations, beyond the first page) stay selectable by id.
  const integrationOptions = [
    ...integrations,
    ...v.ids
      .filter((id) => !integrations.some((o) => o.value === id))
      .map((id) => ({ value: id, label: id })),
  ];

  const submit = async () => {
    const local = validatePolicyForm(v);
    setErrors(local);
    setFormError(null);
    if (Object.keys(local).length > 0) return;
    setSaving(true);
    try {
      const body = toPolicyBody(v);
      const saved = editing ? await updatePolicy(editing.id, body) : await createPolicy(body);
      notifySuccess(editing ? "Policy saved" : "Policy created", saved.name);
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.details.length > 0) {
        const mapped: PolicyFormErrors = {};
        const unmatched: string[] = [];
        for (const d of err.details) {
          const f = policyErrorField(d.field);
          if (f) mapped[f] = mapped[f] ? `${mapped[f]}; ${d.message}` : d.message;
          else unmatched.push(`${d.field}: ${d.message}`);
        }
        setErrors(mapped);
        if (unmatched.length) setFormError(unmatched.join("; "));
      }
      notifyError(editing ? "Error saving policy" : "Error creating policy", err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={editing ? `Edit policy ${editing.name}` : "New alert policy"}
      centered
      size="lg"
    >
      <form
        aria-label={editing ? "Edit policy" : "New policy"}
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={v.name}
            onChange={(e) => set({ name: e.currentTarget.value })}
            error={errors.name}
            required
            maxLength={120}
            data-autofocus
          />
          <Switch
            label="Enabled"
            checked={v.enabled}
            onChange={(e) => set({ enabled: e.currentTarget.checked })}
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="policy-scope-label">
              Integrations
            </Text>
            <SegmentedControl
              aria-labelledby="policy-scope-label"
              value={v.scope}
              onChange={(s) => set({ scope: s as ScopeKind })}
              data={[
                { value: "all", label: "All" },
                { value: "types", label: "By type" },
                { value: "ids", label: "Selected" },
              ]}
            />
            {v.scope === "types" && (
              <MultiSelect
                label="Integration types"
                data={INTEGRATION_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] }))}
                value={v.types}
                onChange={(types) => set({ types: INTEGRATION_TYPES.filter((t) => types.includes(t)) })}
                error={errors.integrations}
              />
            )}
            {v.scope === "ids" && (
              <MultiSelect
                label="Integrations"
                searchable
                data={integrationOptions}
                value={v.ids}
                onChange={(ids) => set({ ids })}
                error={errors.integrations}
                nothingFoundMessage="No integration with that name"
              />
            )}
            {v.scope === "all" && errors.integrations && (
              <Text size="sm" c="red">
                {errors.integrations}
              </Text>
            )}
          </Stack>
          <MultiSelect
            label="Notify these channels"
            data={channelOptions}
            value={v.channelIds}
            onChange={(channelIds) => set({ channelIds })}
            error={errors.channelIds}
            required
            searchable
          />
          <Switch
            label="Also notify when the incident is resolved"
            checked={v.notifyOnResolve}
            onChange={(e) => set({ notifyOnResolve: e.currentTarget.checked })}
          />
          <NumberInput
            label="Remind every (minutes)"
            description="While open and unacknowledged. Empty = no reminders."
            min={1}
            max={10_080}
            allowDecimal={false}
            value={v.renotifyMinutes}
            onChange={(n) => set({ renotifyMinutes: typeof n === "number" ? n : "" })}
            error={errors.renotifyMinutes}
          />
          <Checkbox
            label="Escalate when still unacknowledged"
            checked={v.escalate}
            onChange={(e) => set({ escalate: e.currentTarget.checked })}
          />
          {v.escalate && (
            <Group grow align="flex-start">
              <NumberInput
                label="After (minutes)"
                min={1}
                max={10_080}
                allowDecimal={false}
                value={v.escalationAfterMinutes}
                onChange={(n) => set({ escalationAfterMinutes: typeof n === "number" ? n : "" })}
              />
              <MultiSelect
                label="Escalate to"
                data={channelOptions}
                value={v.escalationChannelIds}
                onChange={(escalationChannelIds) => set({ escalationChannelIds })}
              />
            </Group>
          )}
          {v.escalate && errors.escalation && (
            <Text size="sm" c="red" role="alert">
              {errors.escalation}
            </Text>
          )}
          <Checkbox
            label="Detect flapping (one notice when it starts, one when it settles)"
            checked={v.detectFlapping}
            onChange={(e) => set({ detectFlapping: e.currentTarget.checked })}
          />
          {v.detectFlapping && (
            <Group grow align="flex-start">
              <NumberInput
                label="More than (changes)"
                min={1}
                max={100}
                allowDecimal={false}
                value={v.flapChanges}
                onChange={(n) => set({ flapChanges: typeof n === "number" ? n : "" })}
              />
              <NumberInput
                label="Within (minutes)"
                min={1}
                max={1440}
                allowDecimal={false}
                value={v.flapWindowMinutes}
                onChange={(n) => set({ flapWindowMinutes: typeof n === "number" ? n : "" })}
              />
              <NumberInput
                label="Settled after (minutes)"
                min={1}
                max={1440}
                allowDecimal={false}
                value={v.flapStableMinutes}
                onChange={(n) => set({ flapStableMinutes: typeof n === "number" ? n : "" })}
              />
            </Group>
          )}
          <TextInput
            label="Expiry notices (days before)"
            description="TLS certificates and credentials: one notice at each, and one when expired"
            value={v.expiryDays}
            onChange={(e) => set({ expiryDays: e.currentTarget.value })}
            error={errors.expiryDays}
          />
          <NumberInput
            label="Dependency grace (minutes)"
            description="After a parent recovers, its dependents still failing this long later are notified one each"
            allowDecimal={false}
            allowNegative={false}
            clampBehavior="none"
            value={v.dependencyGraceMinutes}
            onChange={(x) => set({ dependencyGraceMinutes: typeof x === "number" ? x : "" })}
            error={errors.dependencyGraceMinutes}
          />
          {v.detectFlapping && errors.flapping && (
            <Text size="sm" c="red" role="alert">
              {errors.flapping}
            </Text>
          )}
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
              {editing ? "Save policy" : "Create policy"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
