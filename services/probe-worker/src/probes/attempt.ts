import type { ConnectionSpec, PhaseTimings, ProbeKind, TlsCertificateInfo } from "@hip/contracts";
import type { LookupFn } from "@hip/net-guard";
import type { ProbeConfig } from "./config.ts";
import type { OAuthTokenCache } from "./oauth-token-cache.ts";
import { type AttemptOutcome, ProbeFailure } from "./types.ts";

export const USER_AGENT = "HIP-Probe/1.0 (+integration health check)";

/** Everything one attempt needs; `signal` fires on the per-attempt timeout or on shutdown. */
export interface AttemptEnv {
  spec: ConnectionSpec;
  cfg: ProbeConfig;
  ctx: ProbeContext;
  signal: AbortSignal;
  lookup?: LookupFn;
  userAgent: string;
  /** performance.now() when the attempt started. */
  startedAt: number;
  /** Secrets learned during the probe (an issued OAuth access token): redacted from the outcome like spec secrets. */
  issued?: Set<string>;
}

/** What a probe run gets from its worker (one per process). */
export interface ProbeContext {
  /** From PROBE_ALLOWED_CIDRS, e.g. ["127.0.0.0/8","::1/128"]; [] = public addresses only. */
  allowedCidrs: string[];
  /** Shared per process: OAuth2 client-credentials tokens cached until expiry. */
  tokenCache: OAuthTokenCache;
  /** Aborts everything (shutdown). */
  signal?: AbortSignal;
  /** Injectable for retry backoff. */
  sleep?: (ms: number) => Promise<void>;
}

export type ProbeFn = (env: AttemptEnv) => Promise<AttemptOutcome>;

const round = (n: number | null | undefined): number | null =>
  n === null || n === undefined ? null : Math.max(0, Math.round(n * 100) / 100);

export function roundTimings(t: Partial<PhaseTimings>, totalMs: number): PhaseTimings {
  return {
    dnsMs: round(t.dnsMs),
    connectMs: round(t.connectMs),
    tlsMs: round(t.tlsMs),
    firstByteMs: round(t.firstByteMs),
    totalMs: round(t.totalMs ?? totalMs) ?? 0,
  };
}

export function succeeded(
  env: AttemptEnv,
  probe: ProbeKind,
  parts: {
    timings: Partial<PhaseTimings>;
    tls: TlsCertificateInfo | null;
    diagnostics: Record<string, unknown>;
  },
): AttemptOutcome {
  const total = performance.now() - env.startedAt;
  const timings = roundTimings(parts.timings, total);
  return {
    probe,
    success: true,
    latencyMs: timings.totalMs,
    timings,
    tls: parts.tls,
    error: null,
    diagnostics: parts.diagnostics,
    retryable: false,
  };
}

/** Turns any thrown value into a failed outcome; unknown errors become INTERNAL_ERROR without internals. */
export function failed(
  env: AttemptEnv,
  probe: ProbeKind,
  err: unknown,
  extra: Record<string, unknown> = {},
): AttemptOutcome {
  const total = performance.now() - env.startedAt;
  const f =
    err instanceof ProbeFailure
      ? err
      : new ProbeFailure("INTERNAL_ERROR", "application", "the probe failed unexpectedly", {
          retryable: false,
        });
  const timings = roundTimings(f.timings, total);
  return {
    probe,
    success: false,
    latencyMs: timings.totalMs,
    timings,
    tls: f.tls,
    error: f.toError(),
    diagnostics: { ...extra, ...f.diagnostics },
    retryable: f.retryable,
  };
}
