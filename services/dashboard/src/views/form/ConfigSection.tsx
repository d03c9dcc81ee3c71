import { Fieldset, JsonInput } from "@mantine/core";
import { CONFIG_MAX_BYTES } from "@hip/contracts";
import { fieldId, type SectionProps } from "./section.ts";

export function ConfigSection({ values, errors, set }: SectionProps) {
  return (
    <Fieldset legend="Custom configuration">
      <JsonInput
        id={fieldId("config")}
        label="Configuration JSON"
        description={`Free-form JSON object read by the probes (at most ${CONFIG_MAX_BYTES / 1024} KiB). Known keys: method, path, expectedStatus, bodyContains, fhirVersion, hl7Message, callingAeTitle, …`}
        formatOnBlur
        autosize
        minRows={4}
        maxRows={18}
        validationError="Invalid JSON"
        value={values.config}
        onChange={(v) => set("config", v)}
        error={errors.config}
        styles={{ input: { fontFamily: "ui-monospace, monospace" } }}
      />
    </Fieldset>
  );
}
