import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const FORMAT = "v1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export interface KeyRing {
  /** The key new ciphertexts are written under (the last one of CREDENTIALS_KEYS). */
  readonly currentKeyId: string;
  /** `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url parts). `aad` binds the value to its row and field. */
  encrypt(plaintext: string, aad: string): string;
  decrypt(ciphertext: string, aad: string): string;
  keyIdOf(ciphertext: string): string;
}

export class KeyRingError extends Error {
  override name = "KeyRingError";
}

/** Parses `id1:<base64 32 bytes>,id2:<...>`. The error never contains key material. */
export function parseKeyRing(spec: string): KeyRing {
  const keys = new Map<string, Buffer>();
  let last: string | null = null;
  for (const part of spec
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const sep = part.indexOf(":");
    const id = sep > 0 ? part.slice(0, sep) : "";
    if (!KEY_ID.test(id)) throw new KeyRingError("CREDENTIALS_KEYS: each entry must be <keyId>:<base64 key>");
    const key = Buffer.from(part.slice(sep + 1), "base64");
    if (key.length !== 32) throw new KeyRingError(`CREDENTIALS_KEYS: key ${id} must decode to 32 bytes`);
    if (keys.has(id)) throw new KeyRingError(`CREDENTIALS_KEYS: duplicate key id ${id}`);
    keys.set(id, key);
    last = id;
  }
  if (!last) throw new KeyRingError("CREDENTIALS_KEYS: at least one key is required");
  const currentKeyId = last;
  const keyFor = (id: string): Buffer => {
    const key = keys.get(id);
    if (!key) throw new KeyRingError(`no key ${id} in CREDENTIALS_KEYS`);
    return key;
  };

  return {
    currentKeyId,
    encrypt(plaintext, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", keyFor(currentKeyId), iv);
      cipher.setAAD(Buffer.from(aad, "utf8"));
      const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        FORMAT,
        currentKeyId,
        iv.toString("base64url"),
        tag.toString("base64url"),
        ct.toString("base64url"),
      ].join(":");
    },
    decrypt(ciphertext, aad) {
      const [format, keyId, iv, tag, ct] = ciphertext.split(":");
      if (format !== FORMAT || !keyId || !iv || !tag || ct === undefined) {
        throw new KeyRingError("unrecognized ciphertext format");
      }
      const decipher = createDecipheriv("aes-256-gcm", keyFor(keyId), Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(aad, "utf8"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString(
          "utf8",
        );
      } catch {
        throw new KeyRingError(`ciphertext under key ${keyId} failed authentication`);
      }
    },
    keyIdOf(ciphertext) {
      return ciphertext.split(":")[1] ?? "";
    },
  };
}

/** How secrets are shown: "****" + last 4 characters, or only "****" when the value is shorter than 8. */
export function maskSecret(value: string): string {
  return value.length < 8 ? "****" : `****${value.slice(-4)}`;
}
