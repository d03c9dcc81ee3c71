import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * Creates schema `alerts` and applies the committed drizzle-kit migrations. Idempotent, and safe when two
 * replicas start at once (a session advisory lock serializes them).
 */
export async function runMigrations(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock(hashtext('hip.alert-service.migrate'))");
    await client.query("create schema if not exists alerts");
    await migrate(drizzle({ client }), {
      migrationsFolder: MIGRATIONS_FOLDER,
      migrationsSchema: "alerts",
      migrationsTable: "__drizzle_migrations",
    });
  } finally {
    await client
      .query("select pg_advisory_unlock(hashtext('hip.alert-service.migrate'))")
      .catch(() => undefined);
    await client.end();
  }
}

if (import.meta.main) {
  const { loadEnv } = await import("../env.ts");
  const env = loadEnv();
  await runMigrations(env.DATABASE_URL);
  console.log("alert-service: migrations applied");
}
