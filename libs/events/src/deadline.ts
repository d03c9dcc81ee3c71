/** Thrown when a broker call did not settle within its deadline. */
export class DeadlineExceededError extends Error {
  override name = "DeadlineExceededError";
}

/**
 * Settles like `p`, or rejects after `ms` with a DeadlineExceededError. The call itself is not cancelled (the
 * client may still complete it): callers resend with the same event ids, so consumers dedupe a late original.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(`${what} took longer than ${ms} ms`)), ms);
  });
  // A late rejection of the abandoned call must not become an unhandled rejection.
  p.catch(() => undefined);
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
