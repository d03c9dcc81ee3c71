import pg from "pg";

// Postgres returns timestamptz as a string we keep as-is (ISO-convertible) and int8 as a JS number: counts here
// stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

/**
 * stats-service talks to Postgres with plain SQL on `pg` only (decision 0022): its writes are set-based batch
 * upserts and its reads are fixed aggregate queries. drizzle serves only as the schema declaration that
 * drizzle-kit turns into migrations (src/db/schema.ts, drizzle/), applied by migrate.ts.
 */
export interface Database {
  pool: pg.Pool;
  close(): Promise<void>;
}

export function createDatabase(url: string, max = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max, application_name: "stats-service" });
  pool.on("error", () => undefined);
  return { pool, close: () => pool.end() };
}

/** Runs `fn` in one transaction on a dedicated client; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
