import type { FieldIssue } from "@hip/contracts";

/**
 * Maps the API's validation details onto form fields. The API names fields by dotted path ("timeout",
 * "healthCheck.intervalSeconds", "headers.X-Foo", "config.failureThreshold"); the form has flat field names.
 * Issues that match no visible field are returned in `unmatched` so they are still shown (as a form-level alert).
 */
export interface MappedErrors {
  fields: Record<string, string>;
  unmatched: FieldIssue[];
}

const ALIASES: Record<string, string> = {
  "healthCheck.intervalSeconds": "intervalSeconds",
  "healthCheck.enabled": "healthCheckEnabled",
  healthCheck: "intervalSeconds",
  "failureWindow.failures": "windowFailures",
  "failureWindow.of": "windowOf",
  failureWindow: "windowFailures",
  "(body)": "",
};

export function fieldForIssue(path: string, formFields: ReadonlySet<string>): string | null {
  const alias = ALIASES[path];
  if (alias !== undefined) return alias && formFields.has(alias) ? alias : null;
  if (formFields.has(path)) return path;
  const [head] = path.split(".");
  if (head === "headers" && formFields.has("headers")) return "headers";
  if (head === "config" && formFields.has("config")) return "config";
  if (head && formFields.has(head)) return head;
  return null;
}

/** Some validators prefix the message with the field path ("healthCheck.intervalSeconds Too small"); the form
 * already shows the message under that field, so the prefix is dropped. */
function stripPath(message: string, path: string): string {
  for (const prefix of [`${path}: `, `${path} `]) {
    if (message.startsWith(prefix)) return message.slice(prefix.length);
  }
  return message;
}

export function mapIssuesToFields(
  issues: readonly FieldIssue[] | undefined,
  formFields: ReadonlySet<string>,
): MappedErrors {
  const fields: Record<string, string> = {};
  const unmatched: FieldIssue[] = [];
  for (const issue of issues ?? []) {
    const field = fieldForIssue(issue.field, formFields);
    if (!field) {
      unmatched.push(issue);
      continue;
    }
    // Nested paths keep their sub-key in the message ("X-Foo: header value must not contain CR or LF").
    const sub = issue.field.startsWith(`${field}.`) ? issue.field.slice(field.length + 1) : null;
    const text = stripPath(issue.message, issue.field);
    const message = sub && field !== "intervalSeconds" ? `${sub}: ${text}` : text;
    fields[field] = fields[field] ? `${fields[field]}; ${message}` : message;
  }
  return { fields, unmatched };
}
