import type { ConnectionSpec } from "@hip/contracts";
import type { ProbeOutcome } from "./types.ts";

const SECRET_HEADER = /key|token|secret|auth|cookie|signature|password|credential/i;

/** Every secret value of the spec that must never appear in an outcome. */
export function secretsOf(spec: ConnectionSpec): string[] {
  const values = [spec.apiKey, spec.apiSecret, spec.password, spec.token, spec.clientSecret];
  for (const [k, v] of Object.entries(spec.headers)) if (SECRET_HEADER.test(k)) values.push(v);
  return values
    .filter((v): v is string => typeof v === "string" && v.length >= 4)
    .sort((a, b) => b.length - a.length);
}

function scrubValue(v: unknown, secrets: string[], depth = 0): unknown {
  if (typeof v === "string") return secrets.reduce((s, secret) => s.split(secret).join("[REDACTED]"), v);
  if (depth > 8 || v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, secrets, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x, secrets, depth + 1)]));
}

/**
 * Last wall before an outcome leaves the probe layer: any secret value that slipped into an error message or
 * diagnostics (e.g. echoed back by a peer) is replaced. The probes already avoid putting secrets there.
 */
export function scrubOutcome(outcome: ProbeOutcome, secrets: string[]): ProbeOutcome {
  if (secrets.length === 0) return outcome;
  return {
    ...outcome,
    error: outcome.error
      ? { ...outcome.error, message: String(scrubValue(outcome.error.message, secrets)) }
      : null,
    diagnostics: scrubValue(outcome.diagnostics, secrets) as Record<string, unknown>,
  };
}
