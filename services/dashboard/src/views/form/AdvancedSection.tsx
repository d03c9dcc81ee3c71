import { TextInput, Fieldset, NumberInput, SimpleGrid, Switch } from "@mantine/core";
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
        <NumberInput
          id={fieldId("recoveryThreshold")}
          label="Successes before Active"
          description="Consecutive, from Error, 1 – 100"
          allowDecimal={false}
          clampBehavior="none"
          value={values.recoveryThreshold}
          onChange={(v) => set("recoveryThreshold", v)}
          error={errors.recoveryThreshold}
        />
        <NumberInput
          id={fieldId("windowFailures")}
          label="Or Error when failures…"
          description="Window rule (optional): this many failed…"
          allowDecimal={false}
          clampBehavior="none"
          value={values.windowFailures}
          onChange={(v) => set("windowFailures", v)}
          error={errors.windowFailures}
        />
        <NumberInput
          id={fieldId("windowOf")}
          label="…of the last checks"
          description="…of the last N checks, 1 – 100"
          allowDecimal={false}
          clampBehavior="none"
          value={values.windowOf}
          onChange={(v) => set("windowOf", v)}
          error={errors.windowOf}
        />
      </SimpleGrid>
      <TextInput
        id={fieldId("credentialsExpireAt")}
        mt="md"
        label="Credentials expire at"
        description="Optional, ISO date-time (2027-01-31T00:00:00Z): expiry notices at 30, 14, 7, 1 days"
        value={values.credentialsExpireAt}
        onChange={(e) => set("credentialsExpireAt", e.currentTarget.value)}
        error={errors.credentialsExpireAt}
      />
      <TextInput
        id={fieldId("dependsOn")}
        mt="md"
        label="Depends on"
        description="Optional: ids of integrations this one depends on (VPN, engine), comma-separated. While one of them is failing, this one's outages are not paged separately."
        value={values.dependsOn}
        onChange={(e) => set("dependsOn", e.currentTarget.value)}
        error={errors.dependsOn}
      />
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
