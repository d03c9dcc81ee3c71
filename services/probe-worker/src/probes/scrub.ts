import { type ConnectionSpec, isSecretHeaderName } from "@hip/contracts";
import type { ProbeOutcome } from "./types.ts";

/** Shorter values are not redacted: they would match too much ordinary text and protect nothing. */
const MIN_SECRET_LENGTH = 4;
/** A cut string (diagnostics and messages are capped) may end in the first part of a secret form. */
const MIN_PARTIAL_LENGTH = 8;
export const REDACTED = "[REDACTED]";

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const b64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const formEncode = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
const lowerPercent = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());

/**
 * Every spelling under which a secret can come back from a peer or leave through our own formatting: the raw
 * value, URL-encoded (encodeURIComponent and form encoding, upper- and lower-case hex), JSON-escaped, and base64
 * / base64url of the value alone (padded and not).
 */
function formsOf(secret: string): string[] {
  const forms = [secret, encodeURIComponent(secret), formEncode(secret), JSON.stringify(secret).slice(1, -1)];
  forms.push(...forms.map(lowerPercent));
  forms.push(b64(secret), b64(secret).replace(/=+$/, ""), b64url(secret));
  return forms;
}

/** `Authorization: Basic` values: base64 of `user:pass`, raw and with each part URL-encoded (RFC 6749 §2.3.1). */
function basicPairForms(user: string | null, pass: string | null): string[] {
  if (user === null || pass === null || pass.length < MIN_SECRET_LENGTH) return [];
  const enc = encodeURIComponent;
  return [`${user}:${pass}`, `${enc(user)}:${enc(pass)}`, `${formEncode(user)}:${formEncode(pass)}`].flatMap(
    (pair) => [b64(pair), b64(pair).replace(/=+$/, ""), b64url(pair)],
  );
}

/**
 * Every form of every secret of the spec that must never appear in an outcome: the secret fields, secret-named
 * headers (the one rule of @hip/contracts), the Basic pairs (`username:password`, `clientId:clientSecret`), and
 * `issued` values learned while probing (the OAuth access token a peer handed out). Longest first, so a longer
 * form is replaced before a shorter one it contains.
 */
export function secretsOf(spec: ConnectionSpec, issued: Iterable<string> = []): string[] {
  const raw = [spec.apiKey, spec.apiSecret, spec.password, spec.token, spec.clientSecret, ...issued];
  for (const [k, v] of Object.entries(spec.headers)) if (isSecretHeaderName(k)) raw.push(v);
  const forms = raw
    .filter((v): v is string => typeof v === "string" && v.length >= MIN_SECRET_LENGTH)
    .flatMap(formsOf);
  forms.push(...basicPairForms(spec.username, spec.password));
  forms.push(...basicPairForms(spec.clientId, spec.clientSecret));
  return [...new Set(forms.filter((f) => f.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

/** Our length caps cut at a few hundred characters; a longer tail cannot be a cut secret. */
const MAX_PARTIAL_LENGTH = 512;

/** Replaces every occurrence of each form, then a trailing first part of a form left by a length cap. */
export function redactString(s: string, forms: readonly string[]): string {
  let out = forms.reduce((acc, form) => (acc.includes(form) ? acc.split(form).join(REDACTED) : acc), s);
  for (const form of forms) {
    const ellipsis = out.endsWith("…");
    const body = ellipsis ? out.slice(0, -1) : out;
    const longest = Math.min(form.length - 1, body.length, MAX_PARTIAL_LENGTH);
    // Longest tail first: the first position whose rest of the string starts the form.
    for (let at = body.length - longest; at <= body.length - MIN_PARTIAL_LENGTH; at++) {
      if (body.charCodeAt(at) === form.charCodeAt(0) && form.startsWith(body.slice(at))) {
        out = `${body.slice(0, at)}${REDACTED}${ellipsis ? "…" : ""}`;
        break;
      }
    }
  }
  return out;
}

function scrubValue(v: unknown, forms: readonly string[], depth = 0): unknown {
  if (typeof v === "string") return redactString(v, forms);
  if (depth > 8 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, forms, depth + 1));
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [redactString(k, forms), scrubValue(x, forms, depth + 1)]),
  );
}

/**
 * Last wall before an outcome leaves the probe layer (and so before it is published, stored or shown): any form
 * of a secret that slipped into the error message, diagnostics (incl. header values captured from the peer) or
 * TLS facts is replaced. The probes already avoid putting secrets there.
 */
export function scrubOutcome(outcome: ProbeOutcome, forms: readonly string[]): ProbeOutcome {
  if (forms.length === 0) return outcome;
  return {
    ...outcome,
    error: outcome.error ? { ...outcome.error, message: redactString(outcome.error.message, forms) } : null,
    diagnostics: scrubValue(outcome.diagnostics, forms) as Record<string, unknown>,
    tls: outcome.tls ? (scrubValue(outcome.tls, forms) as ProbeOutcome["tls"]) : null,
  };
}
