export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
  /** Give up when a delivery is this old (ALERT_DELIVERY_MAX_AGE). */
  maxAgeMs: number;
}

/**
 * When to try again after `attempt` failed attempts: exponential from `baseMs`, capped at `maxMs`, with "equal
 * jitter" (half fixed, half random) so replicas retrying a shared receiver spread out; never earlier than the
 * receiver's Retry-After; never past the delivery's deadline (the last attempt happens at the deadline). Null
 * means give up now.
 */
export function nextAttemptDelay(
  policy: RetryPolicy,
  attempt: number,
  createdAt: Date,
  retryAfterMs: number | null,
  now = Date.now(),
  random = Math.random,
): number | null {
  const left = createdAt.getTime() + policy.maxAgeMs - now;
  if (left <= 0) return null;
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  const jittered = exp / 2 + (random() * exp) / 2;
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.max(1, Math.min(Math.round(wanted), left));
}
