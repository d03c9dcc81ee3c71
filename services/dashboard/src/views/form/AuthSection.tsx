import { Fieldset, PasswordInput, Select, SimpleGrid, Stack, TextInput } from "@mantine/core";
import type { IntegrationView } from "@hip/contracts";
import { AUTH_FIELDS, type FormField } from "../../lib/form-model.ts";
import { AUTH_LABELS, AUTH_TYPES } from "../../lib/palette.ts";
import { fieldId, type SectionProps } from "./section.ts";

const LABELS: Partial<Record<FormField, string>> = {
  apiKey: "API key",
  apiSecret: "API secret",
  username: "Username",
  password: "Password",
  token: "Bearer token",
  tokenUrl: "Token URL",
  clientId: "Client ID",
  clientSecret: "Client secret",
  scope: "Scope",
};
const SECRET: ReadonlySet<FormField> = new Set(["apiKey", "apiSecret", "password", "token", "clientSecret"]);

function storedMask(original: IntegrationView | null, field: FormField): string | null {
  if (!original) return null;
  switch (field) {
    case "apiKey":
      return original.credentialsSet.apiKey ? (original.apiKey ?? "****") : null;
    case "apiSecret":
      return original.credentialsSet.apiSecret ? (original.apiSecret ?? "****") : null;
    case "password":
      return original.credentialsSet.password ? (original.password ?? "****") : null;
    case "token":
      return original.credentialsSet.token ? (original.token ?? "****") : null;
    case "clientSecret":
      return original.credentialsSet.clientSecret ? (original.clientSecret ?? "****") : null;
    default:
      return null;
  }
}

export function AuthSection({ values, errors, set, original }: SectionProps) {
  const spec = AUTH_FIELDS[values.authType];
  return (
    <Fieldset legend="Authentication">
      <Stack gap="sm">
        <Select
          id={fieldId("authType")}
          label="Authentication method"
          allowDeselect={false}
          data={AUTH_TYPES.map((a) => ({ value: a, label: AUTH_LABELS[a] }))}
          value={values.authType}
          onChange={(v) => set("authType", AUTH_TYPES.find((a) => a === v) ?? values.authType)}
          error={errors.authType}
          maw={360}
        />
        {spec.shown.length > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {spec.shown.map((field) => {
              const mask = storedMask(original, field);
              // A stored secret may stay blank on edit: blank keeps it.
              const required = spec.required.includes(field) && !mask;
              const common = {
                id: fieldId(field),
                label: LABELS[field] ?? field,
                required,
                error: errors[field],
                autoComplete: "off",
                value: String(values[field]),
                onChange: (e: React.ChangeEvent<HTMLInputElement>) => set(field, e.currentTarget.value),
              };
              return SECRET.has(field) ? (
                <PasswordInput
                  key={field}
                  {...common}
                  autoComplete="new-password"
                  description={
                    mask
                      ? `Stored (${mask}). Leave blank to keep it.`
                      : "Stored encrypted; shown masked afterwards"
                  }
                />
              ) : (
                <TextInput key={field} {...common} />
              );
            })}
          </SimpleGrid>
        )}
      </Stack>
    </Fieldset>
  );
}
