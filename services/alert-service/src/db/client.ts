import { sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema.ts";

export type Db = NodePgDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The non-login role tenant transactions run as, so row-level security applies even to a superuser session. */
export const APP_ROLE = "hip_alerts_app";

export function createPool(url: string, max: number, name = "alert-service", options?: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: name,
    ...(options ? { options } : {}),
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * The pool of the system paths (consumers, dispatcher, delivery worker, timers, relay): every connection runs as
 * hip_alerts_app with the explicit RLS bypass for its whole session, so single-statement hot paths (claiming and
 * recording a delivery) need no transaction around them. Tenant requests never use this pool.
 */
export function createSystemPool(url: string, max: number): pg.Pool {
  // Session settings as startup parameters: in effect before the first query, with no query of their own (a
  // query issued from the pool's "connect" event would overlap the caller's first one).
  const pool = createPool(url, max, "alert-service-system", `-c role=${APP_ROLE} -c app.bypass_rls=on`);
  return pool;
}

export function createDb(pool: pg.Pool): Db {
  return drizzle({ client: pool, schema });
}

/**
 * Runs `fn` in a transaction scoped to one tenant: role hip_alerts_app + app.tenant_id (both transaction-local),
 * so the RLS policies hide every other tenant's rows even if a query forgot its tenant filter.
 */
export function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.tenant_id', ${tenantId}, true)`,
    );
    return fn(tx);
  });
}

/** System paths (consumers, dispatcher, delivery worker, timers, outbox relay): explicit RLS bypass. */
export function withSystem<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('role', ${APP_ROLE}, true), set_config('app.bypass_rls', 'on', true)`,
    );
    return fn(tx);
  });
}
