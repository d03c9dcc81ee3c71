import { ActionIcon, Button, Fieldset, Group, Stack, Text, TextInput } from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { isMasked } from "../../lib/form-model.ts";
import { fieldId, type SectionProps } from "./section.ts";

/** Custom HTTP headers as name/value rows. Secret-looking values come back masked and must be retyped to change. */
export function HeadersEditor({ values, errors, set }: SectionProps) {
  const rows = values.headers;
  const update = (idx: number, patch: Partial<{ key: string; value: string }>) =>
    set(
      "headers",
      rows.map((r, i) => (i === idx ? { ...r, ...patch } : r)),
    );
  return (
    <Fieldset legend="Custom headers">
      <Stack
        gap="xs"
        id={fieldId("headers")}
        tabIndex={-1}
        aria-describedby={errors.headers ? "headers-error" : undefined}
      >
        {rows.length === 0 && (
          <Text size="sm" c="dimmed">
            No custom headers. Authorization-like values are stored encrypted and shown masked.
          </Text>
        )}
        {rows.map((row, idx) => (
          <Group key={idx} gap="xs" align="flex-start" wrap="nowrap">
            <TextInput
              aria-label={`Header ${idx + 1} name`}
              placeholder="X-Header-Name"
              value={row.key}
              onChange={(e) => update(idx, { key: e.currentTarget.value })}
              style={{ flex: "1 1 40%" }}
            />
            <TextInput
              aria-label={`Header ${idx + 1} value`}
              placeholder="value"
              value={row.value}
              onChange={(e) => update(idx, { value: e.currentTarget.value })}
              description={isMasked(row.value) ? "Masked secret: retype to change" : undefined}
              style={{ flex: "1 1 60%" }}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              mt={4}
              aria-label={`Remove header ${row.key || idx + 1}`}
              onClick={() =>
                set(
                  "headers",
                  rows.filter((_, i) => i !== idx),
                )
              }
            >
              <IconTrash size={16} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        {errors.headers && (
          <Text size="sm" c="red.8" id="headers-error" role="alert">
            {errors.headers}
          </Text>
        )}
        <Group>
          <Button
            variant="light"
            size="xs"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => set("headers", [...rows, { key: "", value: "" }])}
          >
            Add header
          </Button>
        </Group>
      </Stack>
    </Fieldset>
  );
}
