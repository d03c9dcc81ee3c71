/** True when `err` is PostgreSQL's unique_violation (23505) on `constraint` (any constraint when omitted). */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  let e: unknown = err;
  // drizzle wraps driver errors; the pg error is the cause.
  for (let i = 0; i < 3 && e; i++) {
    const pgErr = e as { code?: string; constraint?: string; cause?: unknown };
    if (pgErr.code === "23505") return constraint === undefined || pgErr.constraint === constraint;
    e = pgErr.cause;
  }
  return false;
}
