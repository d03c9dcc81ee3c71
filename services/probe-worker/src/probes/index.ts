import type { ConnectionSpec, ProbeKind } from "@hip/contracts";
import { type AttemptEnv, failed, type ProbeContext, USER_AGENT } from "./attempt.ts";
import { probeConfig } from "./config.ts";
import { abortableSleep, backoffMs } from "./retry.ts";
import { scrubOutcome, secretsOf } from "./scrub.ts";
import { probeFor, selectProbe } from "./select.ts";
import { type AttemptOutcome, ProbeFailure, type ProbeOutcome } from "./types.ts";

export { parseAllowedCidrs } from "@hip/net-guard";
export type { ProbeContext } from "./attempt.ts";
export { OAuthTokenCache } from "./oauth-token-cache.ts";
export { selectProbe } from "./select.ts";
export type { ProbeOutcome } from "./types.ts";

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));

/** Grace after the per-attempt timeout before an attempt that ignores its signal is abandoned. */
const HARD_DEADLINE_GRACE_MS = 1_000;

async function runAttempt(kind: ProbeKind, env: AttemptEnv, timeoutMs: number): Promise<AttemptOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const hard = new Promise<AttemptOutcome>((resolve) => {
    timer = setTimeout(() => {
      resolve(
        failed(
          env,
          kind,
          new ProbeFailure("TIMEOUT", "timeout", `no answer within ${timeoutMs} ms`, { retryable: true }),
        ),
      );
    }, timeoutMs + HARD_DEADLINE_GRACE_MS);
  });
  try {
    return await Promise.race([probeFor(kind)(env).catch((err: unknown) => failed(env, kind, err)), hard]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Never throws. Runs the probe for spec.type/endpoint, with spec.timeout per attempt and up to
 * spec.retryAttempts retries (exponential backoff with jitter, only for retryable failures), and returns the
 * last attempt's outcome with `attempts` counting every attempt made.
 */
export async function executeProbe(spec: ConnectionSpec, ctx: ProbeContext): Promise<ProbeOutcome> {
  let kind: ProbeKind = "tcp";
  // Secrets learned while probing (the OAuth access token a peer issued), redacted like the spec's own.
  const issued = new Set<string>();
  const startedAt = performance.now();
  try {
    kind = selectProbe(spec);
    let cfg: ReturnType<typeof probeConfig>;
    try {
      cfg = probeConfig(spec);
    } catch (err) {
      const env: AttemptEnv = {
        spec,
        cfg: {},
        ctx,
        signal: new AbortController().signal,
        userAgent: USER_AGENT,
        startedAt,
        issued,
      };
      const { retryable: _r, ...outcome } = failed(env, kind, err);
      return scrubOutcome({ ...outcome, attempts: 1 }, secretsOf(spec));
    }
    const maxAttempts = 1 + clamp(spec.retryAttempts, 0, 10);
    const timeoutMs = clamp(spec.timeout, 100, 120_000);
    const sleep = ctx.sleep ?? abortableSleep(ctx.signal);
    let attempt = 0;
    let last: AttemptOutcome;
    for (;;) {
      attempt++;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
      const env: AttemptEnv = {
        spec,
        cfg,
        ctx,
        signal,
        userAgent: USER_AGENT,
        startedAt: performance.now(),
        issued,
      };
      last = await runAttempt(kind, env, timeoutMs);
      if (last.success || !last.retryable || attempt >= maxAttempts || ctx.signal?.aborted) break;
      await sleep(backoffMs(attempt));
      if (ctx.signal?.aborted) break;
    }
    const { retryable: _r, ...outcome } = last;
    return scrubOutcome({ ...outcome, attempts: attempt }, secretsOf(spec, issued));
  } catch {
    const totalMs = Math.round(performance.now() - startedAt);
    return {
      probe: kind,
      success: false,
      latencyMs: totalMs,
      timings: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs },
      tls: null,
      error: { code: "INTERNAL_ERROR", message: "the probe failed unexpectedly", stage: "application" },
      diagnostics: {},
      attempts: 1,
    };
  }
}
