import type { ChannelType } from "@hip/contracts";
import { type KeyRing, maskSecret } from "@hip/secrets";
import type { ChannelMasks, ChannelRow } from "../db/schema.ts";
import type { OpenChannel } from "./model.ts";

/**
 * Which config fields of each channel type are secrets. URLs of WEBHOOK/SLACK/TEAMS count as secrets because
 * they commonly embed a token (Slack's and Teams' are the credential); PagerDuty's `url` is an endpoint, its
 * `routingKey` the credential; EMAIL has none.
 */
export const SECRET_CONFIG_FIELDS: Record<ChannelType, readonly string[]> = {
  WEBHOOK: ["url", "secret"],
  SLACK: ["url"],
  TEAMS: ["url"],
  PAGERDUTY: ["routingKey"],
  EMAIL: [],
};

/** AAD: a ciphertext only decrypts for the tenant and channel it was made for. */
const aadFor = (tenantId: string, id: string) => `${tenantId}:${id}:channel-secrets`;

/** `https://hooks.slack.com/****abcd`: the origin (where it goes) and the last 4 characters. */
export function maskUrl(value: string): string {
  try {
    const u = new URL(value);
    return `${u.protocol}//${u.host}/${maskSecret(value)}`;
  } catch {
    return maskSecret(value);
  }
}

const maskFor = (field: string, value: string) => (field === "url" ? maskUrl(value) : maskSecret(value));

/** Splits a full config into the clear part and the secret part. */
export function splitConfig(
  type: ChannelType,
  config: Record<string, unknown>,
): { plain: Record<string, unknown>; secrets: Record<string, string> } {
  const secretFields = SECRET_CONFIG_FIELDS[type];
  const plain: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) {
    if (v === undefined || v === null) continue;
    if (secretFields.includes(k)) secrets[k] = String(v);
    else plain[k] = v;
  }
  return { plain, secrets };
}

/** Encrypts the secret part under the newest key; returns the ciphertext (null when none) and the masks. */
export function sealSecrets(
  ring: KeyRing,
  tenantId: string,
  id: string,
  secrets: Record<string, string>,
): { secretsEnc: string | null; masks: ChannelMasks } {
  const names = Object.keys(secrets);
  if (names.length === 0) return { secretsEnc: null, masks: {} };
  const masks: ChannelMasks = {};
  for (const name of names) masks[name] = maskFor(name, secrets[name] ?? "");
  return { secretsEnc: ring.encrypt(JSON.stringify(secrets), aadFor(tenantId, id)), masks };
}

export function openSecrets(
  ring: KeyRing,
  row: Pick<ChannelRow, "tenantId" | "id" | "secretsEnc">,
): Record<string, string> {
  if (!row.secretsEnc) return {};
  return JSON.parse(ring.decrypt(row.secretsEnc, aadFor(row.tenantId, row.id))) as Record<string, string>;
}

/** The channel as a sender needs it (secrets in clear, in memory only). */
export function openChannel(ring: KeyRing, row: ChannelRow): OpenChannel {
  return {
    id: row.id,
    tenantId: row.tenantId,
    name: row.name,
    type: row.type as ChannelType,
    config: row.config,
    secrets: openSecrets(ring, row),
  };
}
