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

/**
 * One attempt with its own abort signal: aborted (TimeoutError) after `timeoutMs` or when `outer` aborts
 * (shutdown). One controller and one timer per attempt: `AbortSignal.timeout` + `AbortSignal.any` cost two
 * signals, a timer and weak links between them for every check (decision 0274). An attempt that ignores its
 * signal is abandoned `HARD_DEADLINE_GRACE_MS` after the timeout.
 */
function runAttempt(
  kind: ProbeKind,
  base: Omit<AttemptEnv, "signal" | "startedAt">,
  timeoutMs: number,
  outer: AbortSignal | undefined,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const env: AttemptEnv = { ...base, signal: controller.signal, startedAt: performance.now() };
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener("abort", onOuterAbort, { once: true });
  return new Promise<AttemptOutcome>((resolve) => {
    let hard: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
      hard = setTimeout(() => {
        done(
          failed(
            env,
            kind,
            new ProbeFailure("TIMEOUT", "timeout", `no answer within ${timeoutMs} ms`, { retryable: true }),
          ),
        );
      }, HARD_DEADLINE_GRACE_MS);
    }, timeoutMs);
    let settled = false;
    function done(outcome: AttemptOutcome) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(hard);
      outer?.removeEventListener("abort", onOuterAbort);
      resolve(outcome);
    }
    probeFor(kind)(env).then(done, (err: unknown) => done(failed(env, kind, err)));
  });
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
      last = await runAttempt(kind, { spec, cfg, ctx, userAgent: USER_AGENT, issued }, timeoutMs, ctx.signal);
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
