import { Checkbox, Select, SimpleGrid, Text, TextInput } from "@mantine/core";
import { configFieldsFor, readConfigKey, writeConfigKey } from "../../lib/form-model.ts";
import { TYPE_LABELS } from "../../lib/palette.ts";
import type { SectionProps } from "./section.ts";

/** Type-specific probe settings. They edit keys of the JSON config, so the JSON editor stays the one truth. */
export function TypeSettings({ values, set }: SectionProps) {
  const fields = configFieldsFor(values.type);
  const update = (key: string, value: unknown) => {
    const next = writeConfigKey(values.config, key, value);
    if (next !== null) set("config", next);
  };
  const invalid = writeConfigKey(values.config, "__probe", null) === null;
  return (
    <div>
      <Text size="sm" fw={600} mb={4}>
        {TYPE_LABELS[values.type]} check settings
      </Text>
      {invalid && (
        <Text size="xs" c="red.8" mb={4}>
          Fix the JSON configuration below to edit these settings.
        </Text>
      )}
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        {fields.map((f) => {
          const raw = readConfigKey(values.config, f.key);
          const id = `config-${f.key}`;
          if (f.kind === "boolean") {
            return (
              <Checkbox
                key={f.key}
                id={id}
                mt="lg"
                label={f.label}
                disabled={invalid}
                checked={raw === true}
                onChange={(e) => update(f.key, e.currentTarget.checked ? true : undefined)}
              />
            );
          }
          if (f.kind === "select") {
            return (
              <Select
                key={f.key}
                id={id}
                label={f.label}
                clearable
                disabled={invalid}
                placeholder="Default"
                data={f.options ?? []}
                value={typeof raw === "string" ? raw : null}
                onChange={(v) => update(f.key, v ?? undefined)}
              />
            );
          }
          return (
            <TextInput
              key={f.key}
              id={id}
              label={f.label}
              disabled={invalid}
              placeholder={f.placeholder}
              inputMode={f.kind === "number" ? "numeric" : undefined}
              value={raw === undefined || raw === null ? "" : String(raw)}
              onChange={(e) => {
                const v = e.currentTarget.value;
                update(f.key, f.kind === "number" && /^\d+$/.test(v) ? Number(v) : v);
              }}
            />
          );
        })}
      </SimpleGrid>
    </div>
  );
}
