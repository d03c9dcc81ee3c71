import type { IntegrationView } from "@hip/contracts";
import type { FormField, FormValues } from "../../lib/form-model.ts";

/** Field errors by form field (the page maps API issues onto them). */
export type Errors = Partial<Record<FormField, string>>;

/** What every form section receives from IntegrationFormPage. */
export interface SectionProps {
  values: FormValues;
  errors: Errors;
  set: <K extends FormField>(field: K, value: FormValues[K]) => void;
  mode: "create" | "edit";
  original: IntegrationView | null;
}

/** DOM id of a field's input (labels, focus on the first error, e2e selectors). */
export const fieldId = (f: string) => `field-${f}`;
