import {
  type AdminSettableStatus,
  AUTH_CREDENTIALS,
  type AuthType,
  type CreateIntegrationBody,
  type IntegrationType,
  type IntegrationView,
  type UpdateIntegrationBody,
} from "@hip/contracts";

export interface HeaderRow {
  key: string;
  value: string;
}

/** Flat form state. Text fields are strings ("" = not set); `config` is the JSON editor's text. */
export interface FormValues {
  name: string;
  type: IntegrationType;
  provider: string;
  description: string;
  endpoint: string;
  webhookUrl: string;
  authType: AuthType;
  apiKey: string;
  apiSecret: string;
  username: string;
  password: string;
  token: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  status: AdminSettableStatus;
  headers: HeaderRow[];
  timeout: number | string;
  retryAttempts: number | string;
  healthCheckEnabled: boolean;
  intervalSeconds: number | string;
  failureThreshold: number | string;
  recoveryThreshold: number | string;
  /** Window rule `failureWindow: { failures, of }`; both blank = no window rule. */
  windowFailures: number | string;
  windowOf: number | string;
  /** ISO date-time the credentials expire ("" = unknown). */
  credentialsExpireAt: string;
  /** Ids of the integrations this one depends on, separated by commas, spaces or new lines ("" = none). */
  dependsOn: string;
  config: string;
}

export type FormField = keyof FormValues;

export const SECRET_FORM_FIELDS = ["apiKey", "apiSecret", "password", "token", "clientSecret"] as const;
type SecretFormField = (typeof SECRET_FORM_FIELDS)[number];

interface AuthFields {
  shown: readonly FormField[];
  required: readonly FormField[];
}

/** The fields an auth type shows (required first) and which the API requires: AUTH_CREDENTIALS from contracts. */
function authFields(authType: AuthType): AuthFields {
  const { required, optional } = AUTH_CREDENTIALS[authType];
  return { shown: [...required, ...optional], required };
}

export const AUTH_FIELDS: Record<AuthType, AuthFields> = {
  NONE: authFields("NONE"),
  API_KEY: authFields("API_KEY"),
  BASIC_AUTH: authFields("BASIC_AUTH"),
  TOKEN: authFields("TOKEN"),
  OAUTH: authFields("OAUTH"),
};

export interface EndpointHint {
  label: string;
  placeholder: string;
  description: string;
}

/** Endpoint field copy per type, matching the API's scheme rules (allowedSchemes in contracts). */
export function endpointHint(type: IntegrationType): EndpointHint {
  switch (type) {
    case "HL7":
      return {
        label: "MLLP endpoint",
        placeholder: "mllp://hl7.hospital.local:2575",
        description: "mllp://, mllps:// or tcp:// with a port",
      };
    case "FHIR":
      return {
        label: "FHIR base URL",
        placeholder: "https://fhir.example.org/r4",
        description: "The server's base; /metadata is probed",
      };
    case "IMAGING_SYSTEM":
      return {
        label: "PACS endpoint",
        placeholder: "dicom://pacs.local:104 or https://pacs.local/dicom-web",
        description: "dicom:// (C-ECHO) or DICOMweb over http(s)",
      };
    case "WEBHOOK":
      return {
        label: "Endpoint (optional)",
        placeholder: "https://receiver.example.com/health",
        description: "Health URL of the receiver; the webhook URL is below",
      };
    default:
      return {
        label: "Endpoint URL",
        placeholder: "https://api.example.com/v1/health",
        description: "http(s) URL",
      };
  }
}

/** Type-specific keys of `config` offered as form inputs (the JSON editor holds everything). */
export interface ConfigFieldSpec {
  key: string;
  label: string;
  kind: "text" | "select" | "boolean" | "number";
  options?: string[];
  placeholder?: string;
}

const HTTP_FIELDS: ConfigFieldSpec[] = [
  {
    key: "method",
    label: "Check method",
    kind: "select",
    options: ["GET", "HEAD", "POST", "PUT", "OPTIONS"],
  },
  { key: "path", label: "Check path", kind: "text", placeholder: "/health" },
  { key: "expectedStatus", label: "Expected HTTP status", kind: "number", placeholder: "200" },
];

export function configFieldsFor(type: IntegrationType): ConfigFieldSpec[] {
  switch (type) {
    case "HL7":
      return [
        { key: "hl7Version", label: "HL7 version", kind: "text", placeholder: "2.5.1" },
        { key: "sendingApplication", label: "Sending application", kind: "text" },
        { key: "sendingFacility", label: "Sending facility", kind: "text" },
        { key: "receivingApplication", label: "Receiving application", kind: "text" },
        { key: "receivingFacility", label: "Receiving facility", kind: "text" },
        { key: "processingId", label: "Processing ID", kind: "select", options: ["P", "T", "D"] },
        { key: "tls", label: "Use TLS", kind: "boolean" },
      ];
    case "FHIR":
      return [
        { key: "fhirVersion", label: "Expected FHIR version", kind: "text", placeholder: "4.0.1" },
        { key: "smartDiscovery", label: "Check SMART configuration", kind: "boolean" },
      ];
    case "IMAGING_SYSTEM":
      return [
        { key: "callingAeTitle", label: "Calling AE title", kind: "text", placeholder: "HIP_PROBE" },
        { key: "calledAeTitle", label: "Called AE title", kind: "text", placeholder: "PACS" },
      ];
    default:
      return HTTP_FIELDS;
  }
}

export function emptyForm(): FormValues {
  return {
    name: "",
    type: "API",
    provider: "",
    description: "",
    endpoint: "",
    webhookUrl: "",
    authType: "NONE",
    apiKey: "",
    apiSecret: "",
    username: "",
    password: "",
    token: "",
    tokenUrl: "",
    clientId: "",
    clientSecret: "",
    scope: "",
    status: "ACTIVE",
    headers: [],
    timeout: 30_000,
    retryAttempts: 3,
    healthCheckEnabled: true,
    intervalSeconds: 300,
    failureThreshold: 3,
    recoveryThreshold: 1,
    windowFailures: "",
    windowOf: "",
    credentialsExpireAt: "",
    dependsOn: "",
    config: "{}",
  };
}

/** Form state for editing: secrets start empty (the API never returns them); blank means "keep". */
export function formFromView(view: IntegrationView): FormValues {
  return {
    name: view.name,
    type: view.type,
    provider: view.provider ?? "",
    description: view.description ?? "",
    endpoint: view.endpoint ?? "",
    webhookUrl: view.webhookUrl ?? "",
    authType: view.authType,
    apiKey: "",
    apiSecret: "",
    username: view.username ?? "",
    password: "",
    token: "",
    tokenUrl: view.tokenUrl ?? "",
    clientId: view.clientId ?? "",
    clientSecret: "",
    scope: view.scope ?? "",
    status: view.status === "INACTIVE" ? "INACTIVE" : "ACTIVE",
    headers: Object.entries(view.headers ?? {}).map(([key, value]) => ({ key, value })),
    timeout: view.timeout,
    retryAttempts: view.retryAttempts,
    healthCheckEnabled: view.healthCheck.enabled,
    intervalSeconds: view.healthCheck.intervalSeconds,
    failureThreshold: view.failureThreshold,
    recoveryThreshold: view.recoveryThreshold,
    windowFailures: view.failureWindow?.failures ?? "",
    windowOf: view.failureWindow?.of ?? "",
    credentialsExpireAt: view.credentialsExpireAt ?? "",
    dependsOn: view.dependsOn.join(", "),
    config: JSON.stringify(view.config ?? {}, null, 2),
  };
}

export type BuildResult<T> =
  | { ok: true; body: T }
  | { ok: false; errors: Partial<Record<FormField, string>> };

/** A value the API masked ("****1234") must never be sent back as if it were the secret. */
export const isMasked = (v: string): boolean => /^\*{4}/.test(v);

function parseConfig(
  text: string,
): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: {} };
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      return { ok: false, error: "Config must be a JSON object" };
    }
    return { ok: true, value: parsed as Record<string, unknown> };
  } catch (err) {
    return {
      ok: false,
      error: `Config is not valid JSON: ${err instanceof Error ? err.message : "parse error"}`,
    };
  }
}

function headersToRecord(
  rows: HeaderRow[],
): { ok: true; value: Record<string, string> } | { ok: false; error: string } {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (key === "" && row.value === "") continue;
    if (key === "") return { ok: false, error: "Every header needs a name" };
    if (seen.has(key.toLowerCase())) return { ok: false, error: `Header ${key} appears twice` };
    if (isMasked(row.value)) return { ok: false, error: `Re-enter the secret value of header ${key}` };
    seen.add(key.toLowerCase());
    out[key] = row.value;
  }
  return { ok: true, value: out };
}

const num = (v: number | string): number => (typeof v === "number" ? v : Number(v));

/** The window rule as the API takes it: null when both inputs are blank. */
function failureWindow(values: FormValues): { failures: number; of: number } | null {
  if (values.windowFailures === "" && values.windowOf === "") return null;
  return { failures: num(values.windowFailures), of: num(values.windowOf) };
}

/** Credentials of other auth types are not sent: switching auth type must not post hidden stale inputs. */
function visibleCredential(values: FormValues, field: FormField): boolean {
  return AUTH_FIELDS[values.authType].shown.includes(field);
}

export function buildCreateBody(values: FormValues): BuildResult<CreateIntegrationBody> {
  const errors: Partial<Record<FormField, string>> = {};
  const config = parseConfig(values.config);
  if (!config.ok) errors.config = config.error;
  const headers = headersToRecord(values.headers);
  if (!headers.ok) errors.headers = headers.error;
  if (!config.ok || !headers.ok) return { ok: false, errors };

  const body: Record<string, unknown> = {
    name: values.name.trim(),
    type: values.type,
    authType: values.authType,
    status: values.status,
    timeout: num(values.timeout),
    retryAttempts: num(values.retryAttempts),
    healthCheck: { enabled: values.healthCheckEnabled, intervalSeconds: num(values.intervalSeconds) },
    failureThreshold: num(values.failureThreshold),
    recoveryThreshold: num(values.recoveryThreshold),
  };
  const window = failureWindow(values);
  if (window) body.failureWindow = window;
  if (values.credentialsExpireAt.trim() !== "") body.credentialsExpireAt = values.credentialsExpireAt.trim();
  const parents = parseIds(values.dependsOn);
  if (parents.length > 0) body.dependsOn = parents;
  for (const f of ["provider", "description", "endpoint", "webhookUrl"] as const) {
    if (values[f].trim() !== "") body[f] = values[f].trim();
  }
  for (const f of ["username", "tokenUrl", "clientId", "scope", ...SECRET_FORM_FIELDS] as const) {
    if (visibleCredential(values, f) && values[f] !== "") body[f] = values[f];
  }
  if (Object.keys(config.value).length > 0) body.config = config.value;
  if (Object.keys(headers.value).length > 0) body.headers = headers.value;
  return { ok: true, body: body as CreateIntegrationBody };
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** PATCH body with only what changed. Cleared optional text becomes null; blank secrets are kept as stored. */
export function buildUpdateBody(values: FormValues, initial: FormValues): BuildResult<UpdateIntegrationBody> {
  const errors: Partial<Record<FormField, string>> = {};
  const config = parseConfig(values.config);
  if (!config.ok) errors.config = config.error;
  const headersChanged = !sameJson(values.headers, initial.headers);
  const headers = headersChanged ? headersToRecord(values.headers) : null;
  if (headers && !headers.ok) errors.headers = headers.error;
  if (!config.ok || (headers && !headers.ok)) return { ok: false, errors };

  const body: Record<string, unknown> = {};
  if (values.name.trim() !== initial.name) body.name = values.name.trim();
  if (values.type !== initial.type) body.type = values.type;
  if (values.authType !== initial.authType) body.authType = values.authType;
  if (values.status !== initial.status) body.status = values.status;
  for (const f of ["provider", "description", "endpoint", "webhookUrl"] as const) {
    const v = values[f].trim();
    if (v !== initial[f]) body[f] = v === "" ? null : v;
  }
  for (const f of ["username", "tokenUrl", "clientId", "scope"] as const) {
    if (!visibleCredential(values, f)) continue;
    const v = values[f];
    if (v !== initial[f]) body[f] = v === "" ? null : v;
  }
  for (const f of SECRET_FORM_FIELDS satisfies readonly SecretFormField[]) {
    if (visibleCredential(values, f) && values[f] !== "") body[f] = values[f];
  }
  for (const f of ["timeout", "retryAttempts", "failureThreshold", "recoveryThreshold"] as const) {
    if (num(values[f]) !== num(initial[f])) body[f] = num(values[f]);
  }
  const window = failureWindow(values);
  if (!sameJson(window, failureWindow(initial))) body.failureWindow = window;
  const expires = values.credentialsExpireAt.trim();
  if (expires !== initial.credentialsExpireAt) body.credentialsExpireAt = expires === "" ? null : expires;
  if (!sameJson(parseIds(values.dependsOn), parseIds(initial.dependsOn)))
    body.dependsOn = parseIds(values.dependsOn);
  const hc: Record<string, unknown> = {};
  if (values.healthCheckEnabled !== initial.healthCheckEnabled) hc.enabled = values.healthCheckEnabled;
  if (num(values.intervalSeconds) !== num(initial.intervalSeconds))
    hc.intervalSeconds = num(values.intervalSeconds);
  if (Object.keys(hc).length > 0) body.healthCheck = hc;
  const initialConfig = parseConfig(initial.config);
  if (!initialConfig.ok || !sameJson(config.value, initialConfig.value)) {
    body.config = Object.keys(config.value).length > 0 ? config.value : null;
  }
  if (headers?.ok) body.headers = Object.keys(headers.value).length > 0 ? headers.value : null;
  return { ok: true, body: body as UpdateIntegrationBody };
}

/** Reads one key of the config editor's JSON for a type-specific input; undefined when unset or unparsable. */
export function readConfigKey(text: string, key: string): unknown {
  const parsed = parseConfig(text);
  return parsed.ok ? parsed.value[key] : undefined;
}

/** Writes one key into the config JSON text (removing it when the value is empty). Null if the text is invalid. */
export function writeConfigKey(text: string, key: string, value: unknown): string | null {
  const parsed = parseConfig(text);
  if (!parsed.ok) return null;
  const next = { ...parsed.value };
  if (value === undefined || value === "" || value === null) delete next[key];
  else next[key] = value;
  return JSON.stringify(next, null, 2);
}

/** "a, b\nc" -> ["a", "b", "c"] (the API validates each id and names `dependsOn.N`). */
export function parseIds(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
}
