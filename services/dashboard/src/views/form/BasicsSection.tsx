import { Fieldset, Select, SimpleGrid, Stack, Textarea, TextInput } from "@mantine/core";
import { endpointHint } from "../../lib/form-model.ts";
import { INTEGRATION_TYPES, STATUS_LABELS, TYPE_LABELS } from "../../lib/palette.ts";
import { fieldId, type SectionProps } from "./section.ts";
import { TypeSettings } from "./TypeSettings.tsx";

export function BasicsSection(props: SectionProps) {
  const { values, errors, set } = props;
  const hint = endpointHint(values.type);
  const showWebhook = values.type === "WEBHOOK" || values.webhookUrl !== "";
  return (
    <Fieldset legend="Integration">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            id={fieldId("name")}
            label="Name"
            required
            maxLength={200}
            value={values.name}
            onChange={(e) => set("name", e.currentTarget.value)}
            error={errors.name}
          />
          <Select
            id={fieldId("type")}
            label="Type"
            required
            allowDeselect={false}
            data={INTEGRATION_TYPES.map((t) => ({ value: t, label: `${TYPE_LABELS[t]} (${t})` }))}
            value={values.type}
            onChange={(v) => set("type", INTEGRATION_TYPES.find((t) => t === v) ?? values.type)}
            error={errors.type}
          />
          <TextInput
            id={fieldId("provider")}
            label="Provider"
            placeholder="e.g. Epic, LabCorp, Stripe"
            value={values.provider}
            onChange={(e) => set("provider", e.currentTarget.value)}
            error={errors.provider}
          />
          <Select
            id={fieldId("status")}
            label="Status"
            description="Error and Testing are set by health checks"
            allowDeselect={false}
            data={(["ACTIVE", "INACTIVE"] as const).map((s) => ({ value: s, label: STATUS_LABELS[s] }))}
            value={values.status}
            onChange={(v) => set("status", v === "INACTIVE" ? "INACTIVE" : "ACTIVE")}
            error={errors.status}
          />
        </SimpleGrid>
        <Textarea
          id={fieldId("description")}
          label="Description"
          autosize
          minRows={2}
          maxLength={2000}
          value={values.description}
          onChange={(e) => set("description", e.currentTarget.value)}
          error={errors.description}
        />
        <TextInput
          id={fieldId("endpoint")}
          label={hint.label}
          description={hint.description}
          placeholder={hint.placeholder}
          value={values.endpoint}
          onChange={(e) => set("endpoint", e.currentTarget.value)}
          error={errors.endpoint}
          inputMode="url"
          autoComplete="off"
        />
        {showWebhook && (
          <TextInput
            id={fieldId("webhookUrl")}
            label="Webhook URL"
            description="Where events are delivered (http or https)"
            placeholder="https://receiver.example.com/hooks/hip"
            required={values.type === "WEBHOOK" && values.endpoint === ""}
            value={values.webhookUrl}
            onChange={(e) => set("webhookUrl", e.currentTarget.value)}
            error={errors.webhookUrl}
            inputMode="url"
          />
        )}
        <TypeSettings {...props} />
      </Stack>
    </Fieldset>
  );
}
