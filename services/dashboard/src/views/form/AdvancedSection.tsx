import { Fieldset, NumberInput, SimpleGrid, Switch } from "@mantine/core";
import { fieldId, type SectionProps } from "./section.ts";

/** Limits are shown as hints but not clamped: the API's validation message lands on the field instead. */
export function AdvancedSection({ values, errors, set }: SectionProps) {
  return (
    <Fieldset legend="Timeouts and health checks">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        <NumberInput
          id={fieldId("timeout")}
          label="Timeout (ms)"
          description="100 – 120000"
          allowDecimal={false}
          clampBehavior="none"
          value={values.timeout}
          onChange={(v) => set("timeout", v)}
          error={errors.timeout}
        />
        <NumberInput
          id={fieldId("retryAttempts")}
          label="Retry attempts"
          description="0 – 10"
          allowDecimal={false}
          allowNegative={false}
          clampBehavior="none"
          value={values.retryAttempts}
          onChange={(v) => set("retryAttempts", v)}
          error={errors.retryAttempts}
        />
        <NumberInput
          id={fieldId("intervalSeconds")}
          label="Check interval (s)"
          description="10 – 86400"
          allowDecimal={false}
          clampBehavior="none"
          disabled={!values.healthCheckEnabled}
          value={values.intervalSeconds}
          onChange={(v) => set("intervalSeconds", v)}
          error={errors.intervalSeconds}
        />
        <NumberInput
          id={fieldId("failureThreshold")}
          label="Failures before Error"
          description="Consecutive, 1 – 100"
          allowDecimal={false}
          clampBehavior="none"
          value={values.failureThreshold}
          onChange={(v) => set("failureThreshold", v)}
          error={errors.failureThreshold}
        />
      </SimpleGrid>
      <Switch
        id={fieldId("healthCheckEnabled")}
        mt="md"
        label="Scheduled health checks"
        checked={values.healthCheckEnabled}
        onChange={(e) => set("healthCheckEnabled", e.currentTarget.checked)}
      />
    </Fieldset>
  );
}
