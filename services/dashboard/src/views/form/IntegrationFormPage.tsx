import { Alert, Anchor, Breadcrumbs, Button, Group, List, Skeleton, Stack, Text, Title } from "@mantine/core";
import type { CreateIntegrationBody, FieldIssue, IntegrationView } from "@hip/contracts";
import { type FormEvent, useEffect, useState } from "react";
import { ErrorAlert } from "../../components/ErrorAlert.tsx";
import { ApiError, describeError } from "../../lib/api.ts";
import { mapIssuesToFields } from "../../lib/field-errors.ts";
import {
  buildCreateBody,
  buildUpdateBody,
  emptyForm,
  type FormField,
  type FormValues,
  formFromView,
} from "../../lib/form-model.ts";
import {
  createIntegration,
  getIntegration,
  updateIntegration,
  type Versioned,
} from "../../lib/integration-api.ts";
import { notifyError, notifySuccess } from "../../lib/notify.ts";
import { href, linkClick, navigate } from "../../lib/router.ts";
import { useAsync } from "../../lib/use-async.ts";
import { AdvancedSection } from "./AdvancedSection.tsx";
import { AuthSection } from "./AuthSection.tsx";
import { BasicsSection } from "./BasicsSection.tsx";
import { ConfigSection } from "./ConfigSection.tsx";
import { HeadersEditor } from "./HeadersEditor.tsx";
import { type Errors, fieldId, type SectionProps } from "./section.ts";

const FORM_FIELDS = new Set<string>(Object.keys(emptyForm()));

function focusFirstError(errors: Errors) {
  const first = Object.keys(errors)[0];
  if (!first) return;
  requestAnimationFrame(() => document.getElementById(fieldId(first))?.focus());
}

export function IntegrationFormPage({ mode, id }: { mode: "create" | "edit"; id?: string }) {
  const existing = useAsync(
    (signal): Promise<Versioned<IntegrationView> | null> =>
      id ? getIntegration(id, signal) : Promise.resolve(null),
    [id],
  );
  if (mode === "edit" && existing.error)
    return <ErrorAlert error={existing.error} onRetry={existing.reload} />;
  if (mode === "edit" && !existing.data) return <Skeleton h={400} aria-label="Loading integration" />;
  return <IntegrationForm key={existing.data?.etag ?? "new"} mode={mode} record={existing.data} />;
}

function IntegrationForm({
  mode,
  record,
}: {
  mode: "create" | "edit";
  record: Versioned<IntegrationView> | null;
}) {
  const [initial] = useState<FormValues>(() => (record ? formFromView(record.value) : emptyForm()));
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [unmatched, setUnmatched] = useState<FieldIssue[]>([]);
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const original = record?.value ?? null;

  useEffect(() => {
    document.title = mode === "create" ? "New integration" : `Edit ${original?.name ?? "integration"}`;
  }, [mode, original?.name]);

  const set = <K extends FormField>(field: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [field]: value }));
    setErrors((e) => {
      if (!e[field]) return e;
      const next = { ...e };
      delete next[field];
      return next;
    });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    setUnmatched([]);
    const built = record ? buildUpdateBody(values, initial) : buildCreateBody(values);
    if (!built.ok) {
      setErrors(built.errors);
      focusFirstError(built.errors);
      return;
    }
    setSaving(true);
    try {
      const saved = record
        ? (await updateIntegration(record.value.id, built.body, record.etag)).value
        : await createIntegration(built.body as CreateIntegrationBody);
      notifySuccess(mode === "create" ? "Integration created" : "Integration saved", saved.name);
      navigate(href({ name: "detail", id: saved.id }));
    } catch (err) {
      setSaving(false);
      if (err instanceof ApiError && err.details.length > 0) {
        const mapped = mapIssuesToFields(err.details, FORM_FIELDS);
        setErrors(mapped.fields as Errors);
        setUnmatched(mapped.unmatched);
        focusFirstError(mapped.fields as Errors);
      } else if (err instanceof ApiError && err.status === 412) {
        setFormError(
          "Someone else changed this integration since you opened it. Reload to edit the latest version.",
        );
      } else {
        setFormError(describeError(err));
      }
      notifyError(mode === "create" ? "Error creating integration" : "Error saving integration", err);
    }
  };

  const cancelTo = original ? href({ name: "detail", id: original.id }) : href({ name: "list" });
  const sectionProps: SectionProps = { values, errors, set, mode, original };
  const errorCount = Object.keys(errors).length + unmatched.length;

  return (
    <Stack gap="md" maw={960}>
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor href={href({ name: "list" })} onClick={linkClick(href({ name: "list" }))} size="sm">
          Integrations
        </Anchor>
        {original && (
          <Anchor href={cancelTo} onClick={linkClick(cancelTo)} size="sm">
            {original.name}
          </Anchor>
        )}
        <Text size="sm" aria-current="page">
          {mode === "create" ? "New" : "Edit"}
        </Text>
      </Breadcrumbs>
      <Title order={1}>{mode === "create" ? "New integration" : `Edit ${original?.name ?? ""}`}</Title>
      <form
        onSubmit={submit}
        noValidate
        aria-label={mode === "create" ? "Create integration" : "Edit integration"}
      >
        <Stack gap="md">
          {(formError || errorCount > 0) && (
            <Alert
              color="red"
              role="alert"
              title={formError ? "Could not save" : "Please fix the highlighted fields"}
              data-testid="form-errors"
            >
              {formError && <Text size="sm">{formError}</Text>}
              {!formError && Object.keys(errors).length > 0 && (
                <Text size="sm">
                  {Object.keys(errors).length === 1
                    ? "1 field needs"
                    : `${Object.keys(errors).length} fields need`}{" "}
                  attention: {Object.keys(errors).join(", ")}.
                </Text>
              )}
              {unmatched.length > 0 && (
                <List size="sm">
                  {unmatched.map((u) => (
                    <List.Item key={`${u.field}-${u.rule}`}>
                      {u.field}: {u.message}
                    </List.Item>
                  ))}
                </List>
              )}
            </Alert>
          )}
          <BasicsSection {...sectionProps} />
          <AuthSection {...sectionProps} />
          <HeadersEditor {...sectionProps} />
          <AdvancedSection {...sectionProps} />
          <ConfigSection {...sectionProps} />
          <Group justify="flex-end">
            <Button variant="default" component="a" href={cancelTo} onClick={linkClick(cancelTo)}>
              Cancel
            </Button>
            <Button type="submit" loading={saving}>
              {mode === "create" ? "Create integration" : "Save changes"}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
