import { SECRET_FIELDS, SECRET_HEADER_PATTERN, type SecretField } from "@hip/contracts";
import type { IntegrationRow, SecretMasks } from "../../db/schema.ts";
import { type KeyRing, maskSecret } from "@hip/secrets";

export const SECRET_COLUMNS = {
  apiKey: "apiKeyEnc",
  apiSecret: "apiSecretEnc",
  password: "passwordEnc",
  token: "tokenEnc",
  clientSecret: "clientSecretEnc",
} as const satisfies Record<SecretField, keyof IntegrationRow>;

export type SecretColumns = { [K in (typeof SECRET_COLUMNS)[SecretField]]?: string | null };

/** Additional authenticated data: a ciphertext only decrypts for the tenant, record and field it was made for. */
export const aadFor = (tenantId: string, id: string, field: string): string => `${tenantId}:${id}:${field}`;

export const isSecretHeader = (name: string): boolean => SECRET_HEADER_PATTERN.test(name);

export function splitHeaders(headers: Record<string, string>): {
  plain: Record<string, string>;
  secret: Record<string, string>;
} {
  const plain: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (isSecretHeader(name)) secret[name] = value;
    else plain[name] = value;
  }
  return { plain, secret };
}

export interface SealInput {
  ring: KeyRing;
  tenantId: string;
  id: string;
  masks: SecretMasks;
  /** Secret fields to set (string) or clear (null); absent fields keep their stored value. */
  fields: Partial<Record<SecretField, string | null>>;
  /** undefined keeps the stored headers; null clears; an object replaces them all. */
  headers?: Record<string, string> | null;
}

export interface SealOutput {
  columns: SecretColumns & { headers?: Record<string, string> | null; secretHeadersEnc?: string | null };
  masks: SecretMasks;
}

/** Encrypts secret fields and secret-looking header values under the newest key; plaintext never leaves here. */
export function sealSecrets(input: SealInput): SealOutput {
  const { ring, tenantId, id } = input;
  const masks: SecretMasks = { fields: { ...input.masks.fields }, headers: { ...input.masks.headers } };
  const columns: SealOutput["columns"] = {};
  for (const field of SECRET_FIELDS) {
    const value = input.fields[field];
    if (value === undefined) continue;
    const column = SECRET_COLUMNS[field];
    if (value === null) {
      columns[column] = null;
      delete masks.fields[field];
    } else {
      columns[column] = ring.encrypt(value, aadFor(tenantId, id, field));
      masks.fields[field] = maskSecret(value);
    }
  }
  if (input.headers !== undefined) {
    const { plain, secret } = splitHeaders(input.headers ?? {});
    columns.headers = input.headers === null ? null : plain;
    const names = Object.keys(secret);
    columns.secretHeadersEnc =
      names.length > 0 ? ring.encrypt(JSON.stringify(secret), aadFor(tenantId, id, "headers")) : null;
    masks.headers = Object.fromEntries(names.map((n) => [n, maskSecret(secret[n] ?? "")]));
  }
  return { columns, masks };
}

/** Decrypts every secret of a row (internal connection spec only). */
export function openSecrets(
  ring: KeyRing,
  row: IntegrationRow,
): { fields: Record<SecretField, string | null>; secretHeaders: Record<string, string> } {
  const fields = {} as Record<SecretField, string | null>;
  for (const field of SECRET_FIELDS) {
    const ct = row[SECRET_COLUMNS[field]];
    fields[field] = ct ? ring.decrypt(ct, aadFor(row.tenantId, row.id, field)) : null;
  }
  const secretHeaders = row.secretHeadersEnc
    ? (JSON.parse(ring.decrypt(row.secretHeadersEnc, aadFor(row.tenantId, row.id, "headers"))) as Record<
        string,
        string
      >)
    : {};
  return { fields, secretHeaders };
}
