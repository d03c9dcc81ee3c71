import { sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema.ts";

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The non-login role tenant transactions run as, so row-level security applies even to a superuser session. */
export const APP_ROLE = "hip_config_app";

export function createPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: "config-service" });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return drizzle({ client: pool, schema });
}

/**
 * Runs `fn` in a transaction scoped to one tenant: role hip_config_app + app.tenant_id (both transaction-local),
 * so the RLS policies hide every other tenant's rows even if a query forgot its tenant filter.
 */
export function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // Same statement as TENANT_CONTEXT (drizzle numbers the two parameters $1 and $2).
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
    );
    return fn(tx);
  });
}

/** The SQL both tenant-scoped paths run first (transaction-local role and tenant for the RLS policies). */
const TENANT_CONTEXT = "select set_config('role', $1, true), set_config('app.tenant_id', $2, true)";

/**
 * withTenant() for the two hot reads that bypass the query builder (fast-read.ts, decision 0104): the same
 * tenant context, on a pool client, as a named prepared statement.
 */
export async function withTenantClient<T>(
  pool: pg.Pool,
  tenantId: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query({
      name: "config_tenant_context",
      text: TENANT_CONTEXT,
      values: [APP_ROLE, tenantId],
    });
    const out = await fn(client);
    await client.query("commit");
    return out;
  } catch (err) {
    await client.query("rollback").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** System paths (outbox relay, status consumer, internal endpoints, rotation): explicit, audited RLS bypass. */
export function withSystem<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.bypass_rls', 'on', true)`,
    );
    return fn(tx);
  });
}
