interface PgLikeError {
  code?: unknown;
  cause?: unknown;
}

/**
 * SQLSTATE classes of errors caused by the data itself, which a retry cannot cure: 22 data exception (a NUL
 * character in text or JSON, a value out of range), 23 integrity constraint violation, 54 program limit exceeded.
 * Everything else (connection loss, shutdown, serialization or deadlock, lock timeout) is worth retrying.
 */
const DATA_CLASSES = new Set(["22", "23", "54"]);

/** True when `err` (or a cause it wraps, as drizzle's query errors do) is a Postgres error of a data class. */
export function isDataError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === "object"; depth++) {
    const { code, cause } = e as PgLikeError;
    if (typeof code === "string" && code.length === 5 && DATA_CLASSES.has(code.slice(0, 2))) return true;
    e = cause;
  }
  return false;
}
