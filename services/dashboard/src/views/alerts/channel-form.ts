import type { ChannelType, ChannelView, CreateChannelBody, UpdateChannelBody } from "@hip/contracts";

export const CHANNEL_TYPES = [
  "WEBHOOK",
  "SLACK",
  "TEAMS",
  "PAGERDUTY",
  "EMAIL",
] as const satisfies readonly ChannelType[];

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  WEBHOOK: "Webhook",
  SLACK: "Slack",
  TEAMS: "Microsoft Teams",
  PAGERDUTY: "PagerDuty",
  EMAIL: "Email",
};

/** Which inputs each type shows; `secret` marks values the API only ever returns masked. */
export interface ChannelField {
  key: "url" | "secret" | "routingKey" | "to";
  label: string;
  secret: boolean;
  required: boolean;
  hint: string;
}

export const CHANNEL_FIELDS: Record<ChannelType, readonly ChannelField[]> = {
  WEBHOOK: [
    { key: "url", label: "Webhook URL", secret: true, required: true, hint: "JSON POST, http(s)" },
    {
      key: "secret",
      label: "Signing secret",
      secret: true,
      required: false,
      hint: "Optional, at least 16 characters: requests carry X-HIP-Signature (HMAC-SHA256)",
    },
  ],
  SLACK: [
    {
      key: "url",
      label: "Slack incoming webhook URL",
      secret: true,
      required: true,
      hint: "https://hooks.slack.com/services/…",
    },
  ],
  TEAMS: [
    {
      key: "url",
      label: "Teams workflow webhook URL",
      secret: true,
      required: true,
      hint: "The URL of a “When a Teams webhook request is received” workflow",
    },
  ],
  PAGERDUTY: [
    {
      key: "routingKey",
      label: "Routing key",
      secret: true,
      required: true,
      hint: "Events API v2 integration key",
    },
    {
      key: "url",
      label: "Events API URL",
      secret: false,
      required: false,
      hint: "Optional; defaults to PagerDuty's endpoint (set it to use a proxy)",
    },
  ],
  EMAIL: [
    {
      key: "to",
      label: "Recipients",
      secret: false,
      required: true,
      hint: "Email addresses, one per line or separated by commas (up to 20)",
    },
  ],
};

/**
 * The form's values. Secret inputs always start empty, also when editing: the API returns masks only, and a
 * mask is never put into an input (it would be sent back as a value). Empty secret = keep the stored one.
 */
export interface ChannelFormValues {
  name: string;
  type: ChannelType;
  url: string;
  secret: string;
  /** WEBHOOK edit: remove the stored signing secret (`secret: null`). */
  removeSecret: boolean;
  routingKey: string;
  to: string;
}

export function emptyChannelForm(type: ChannelType = "WEBHOOK"): ChannelFormValues {
  return { name: "", type, url: "", secret: "", removeSecret: false, routingKey: "", to: "" };
}

const str = (v: unknown): string => (typeof v === "string" ? v : "");

export function channelFormFromView(view: ChannelView): ChannelFormValues {
  const config = view.config;
  const urlIsSecret = CHANNEL_FIELDS[view.type].some((f) => f.key === "url" && f.secret);
  return {
    ...emptyChannelForm(view.type),
    name: view.name,
    url: urlIsSecret ? "" : str(config.url),
    to: Array.isArray(config.to) ? config.to.filter((x) => typeof x === "string").join("\n") : "",
  };
}

export function parseRecipients(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The mask the API shows for a stored secret field (`https://hooks.slack.com/****abcd`, `****wxyz`), if set. */
export function storedMask(view: ChannelView | null, key: ChannelField["key"]): string | null {
  if (!view?.secretsSet[key]) return null;
  const v = view.config[key];
  return typeof v === "string" ? v : "****";
}

export type ChannelFormErrors = Partial<Record<"name" | `config.${ChannelField["key"]}`, string>>;

/** Required fields before the request; everything else (URL shape, lengths, addresses) the API validates. */
export function validateChannelForm(v: ChannelFormValues, editing: ChannelView | null): ChannelFormErrors {
  const errors: ChannelFormErrors = {};
  if (!v.name.trim()) errors.name = "Name is required";
  for (const f of CHANNEL_FIELDS[v.type]) {
    if (!f.required) continue;
    const value = f.key === "to" ? parseRecipients(v.to).join(",") : v[f.key].trim();
    const kept = editing !== null && (f.secret ? editing.secretsSet[f.key] : true);
    if (!value && !kept) errors[`config.${f.key}`] = `${f.label} is required`;
  }
  return errors;
}

export function toCreateChannelBody(v: ChannelFormValues): CreateChannelBody {
  const name = v.name.trim();
  switch (v.type) {
    case "WEBHOOK":
      return {
        name,
        type: "WEBHOOK",
        config: { url: v.url.trim(), ...(v.secret ? { secret: v.secret } : {}) },
      };
    case "SLACK":
      return { name, type: "SLACK", config: { url: v.url.trim() } };
    case "TEAMS":
      return { name, type: "TEAMS", config: { url: v.url.trim() } };
    case "PAGERDUTY":
      return {
        name,
        type: "PAGERDUTY",
        config: { routingKey: v.routingKey.trim(), ...(v.url.trim() ? { url: v.url.trim() } : {}) },
      };
    case "EMAIL":
      return { name, type: "EMAIL", config: { to: parseRecipients(v.to) } };
  }
}

/** PATCH body: the name when changed, and only the config fields the user typed (empty secrets keep theirs). */
export function toUpdateChannelBody(v: ChannelFormValues, view: ChannelView): UpdateChannelBody {
  const body: UpdateChannelBody = {};
  if (v.name.trim() !== view.name) body.name = v.name.trim();
  const config: Record<string, unknown> = {};
  switch (v.type) {
    case "WEBHOOK":
      if (v.url.trim()) config.url = v.url.trim();
      if (v.removeSecret) config.secret = null;
      else if (v.secret) config.secret = v.secret;
      break;
    case "SLACK":
    case "TEAMS":
      if (v.url.trim()) config.url = v.url.trim();
      break;
    case "PAGERDUTY": {
      if (v.routingKey.trim()) config.routingKey = v.routingKey.trim();
      const before = str(view.config.url);
      if (v.url.trim() !== before) config.url = v.url.trim() ? v.url.trim() : null;
      break;
    }
    case "EMAIL": {
      const to = parseRecipients(v.to);
      const before = Array.isArray(view.config.to) ? view.config.to : [];
      if (to.join("\n") !== before.join("\n")) config.to = to;
      break;
    }
  }
  if (Object.keys(config).length > 0) body.config = config;
  return body;
}
