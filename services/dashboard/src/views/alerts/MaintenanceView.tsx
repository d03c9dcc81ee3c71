import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { IconPlus } from "@tabler/icons-react";
import { IntegrationType, type MaintenanceView as Window } from "@hip/contracts";
import { useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { createMaintenance, deleteMaintenance, listMaintenance } from "../../lib/alerts-api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import type { Session } from "../../lib/session.ts";
import { useAsync } from "../../lib/use-async.ts";
import {
  describeSchedule,
  emptyMaintenanceForm,
  type MaintenanceFormValues,
  toMaintenanceBody,
} from "./maintenance-form.ts";

const when = (iso: string) => new Date(iso).toLocaleString();

function WindowCard({ w, onDelete }: { w: Window; onDelete?: () => void }) {
  const scope =
    w.scope.scope === "tenant"
      ? "All integrations"
      : w.scope.scope === "types"
        ? `Types: ${w.scope.types.join(", ")}`
        : `${w.scope.ids.length} integration(s)`;
  return (
    <Card withBorder padding="sm" component="li" data-maintenance-id={w.id}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text fw={600}>{w.name}</Text>
        {w.current ? (
          <Badge color="grape">Active until {when(w.current.endsAt)}</Badge>
        ) : (
          <Badge variant="light" color="gray">
            {w.upcoming[0] ? `Next ${when(w.upcoming[0].startsAt)}` : "No upcoming occurrence"}
          </Badge>
        )}
      </Group>
      <Text size="sm">{describeSchedule(w)}</Text>
      <Text size="sm" c="dimmed">
        {scope}
      </Text>
      {w.upcoming.length > 1 && (
        <Text size="xs" c="dimmed">
          Then:{" "}
          {w.upcoming
            .slice(1, 4)
            .map((o) => when(o.startsAt))
            .join(" · ")}
        </Text>
      )}
      {onDelete && (
        <Group justify="flex-end" mt="xs">
          <Button size="xs" variant="subtle" color="red" onClick={onDelete}>
            Delete
          </Button>
        </Group>
      )}
    </Card>
  );
}

/** Maintenance windows: active and upcoming ones, create (admins) and delete. Incidents inside open silently. */
export function MaintenanceView({ session }: { session: Session }) {
  const windows = useAsync((signal) => listMaintenance(signal), []);
  const [form, setForm] = useState<MaintenanceFormValues | null>(null);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const save = async () => {
    if (!form) return;
    setSaving(true);
    setFormError(null);
    try {
      await createMaintenance(toMaintenanceBody(form));
      notifySuccess("Maintenance window created", form.name);
      setForm(null);
      windows.reload();
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    } finally {
      setSaving(false);
    }
  };
  const remove = async (w: Window) => {
    try {
      await deleteMaintenance(w.id);
      notifySuccess("Maintenance window deleted", w.name);
      windows.reload();
    } catch (err) {
      notifyError("Error deleting maintenance window", err);
    }
  };
  const set = (patch: Partial<MaintenanceFormValues>) => setForm((f) => (f ? { ...f, ...patch } : f));
  const list = windows.data ?? [];
  const active = list.filter((w) => w.current);
  const rest = list.filter((w) => !w.current);
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={1}>Maintenance windows</Title>
        {session.isAdmin && (
          <Button
            leftSection={<IconPlus size={16} aria-hidden />}
            onClick={() => setForm(emptyMaintenanceForm())}
          >
            New window
          </Button>
        )}
      </Group>
      <Text size="sm" c="dimmed">
        During a window checks keep running; outages open their incident silently, and one notice goes out at
        the window's end if the integration is still failing. Uptime is reported with and without this time.
      </Text>
      {windows.error ? (
        <ErrorAlert
          error={windows.error}
          onRetry={windows.reload}
          title="Error loading maintenance windows"
        />
      ) : null}
      {windows.loading && !windows.data ? (
        <Skeleton h={120} aria-label="Loading maintenance windows" />
      ) : (
        <>
          <Title order={2} size="h4">
            Active now ({active.length})
          </Title>
          <SimpleGrid cols={{ base: 1, md: 2 }} component="ul" style={{ listStyle: "none", padding: 0 }}>
            {active.map((w) => (
              <WindowCard key={w.id} w={w} {...(session.isAdmin ? { onDelete: () => remove(w) } : {})} />
            ))}
          </SimpleGrid>
          <Title order={2} size="h4">
            Upcoming and past ({rest.length})
          </Title>
          <SimpleGrid cols={{ base: 1, md: 2 }} component="ul" style={{ listStyle: "none", padding: 0 }}>
            {rest.map((w) => (
              <WindowCard key={w.id} w={w} {...(session.isAdmin ? { onDelete: () => remove(w) } : {})} />
            ))}
          </SimpleGrid>
        </>
      )}
      <Modal opened={form !== null} onClose={() => setForm(null)} title="New maintenance window">
        {form && (
          <Stack gap="sm">
            <TextInput
              label="Name"
              required
              value={form.name}
              onChange={(e) => set({ name: e.currentTarget.value })}
            />
            <TextInput
              label="Starts (local time)"
              type="datetime-local"
              required
              value={form.start}
              onChange={(e) => set({ start: e.currentTarget.value })}
            />
            <TextInput
              label="Time zone (IANA)"
              description="Recurring windows keep this local time across DST changes"
              value={form.timeZone}
              onChange={(e) => set({ timeZone: e.currentTarget.value })}
            />
            <NumberInput
              label="Duration (minutes)"
              min={1}
              max={10_080}
              allowDecimal={false}
              value={form.durationMinutes}
              onChange={(n) => set({ durationMinutes: typeof n === "number" ? n : "" })}
            />
            <Select
              label="Repeats"
              data={[
                { value: "none", label: "Once" },
                { value: "daily", label: "Daily" },
                { value: "weekly", label: "Weekly (same weekday)" },
                { value: "monthly", label: "Monthly (same day)" },
                { value: "custom", label: "Custom RRULE" },
              ]}
              value={form.repeat}
              onChange={(v) => set({ repeat: (v ?? "none") as MaintenanceFormValues["repeat"] })}
            />
            {form.repeat === "custom" && (
              <TextInput
                label="RRULE (RFC 5545)"
                placeholder="FREQ=WEEKLY;BYDAY=SU;COUNT=10"
                value={form.rrule}
                onChange={(e) => set({ rrule: e.currentTarget.value })}
              />
            )}
            <Select
              label="Applies to"
              data={[
                { value: "tenant", label: "All integrations" },
                { value: "types", label: "Integration types" },
              ]}
              value={form.scope}
              onChange={(v) => set({ scope: (v ?? "tenant") as MaintenanceFormValues["scope"] })}
            />
            {form.scope === "types" && (
              <MultiSelect
                label="Types"
                data={IntegrationType.options}
                value={form.types}
                onChange={(types) => set({ types: types as MaintenanceFormValues["types"] })}
              />
            )}
            {formError && (
              <Alert color="red" role="alert">
                {formError}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setForm(null)}>
                Cancel
              </Button>
              <Button loading={saving} onClick={save}>
                Create
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Stack>
  );
}
