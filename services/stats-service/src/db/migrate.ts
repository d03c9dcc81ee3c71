import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import { databaseEnv, parseEnv } from "@hip/service-kit";
import { createDatabase } from "./client.ts";

const MIGRATIONS = fileURLToPath(new URL("../../drizzle", import.meta.url));
/** The status snapshot's tables (src/snapshot): own folder and migrations table, see decision 0841. */
const SNAPSHOT_MIGRATIONS = fileURLToPath(new URL("../../drizzle-snapshot", import.meta.url));
const LOCK_KEY = 3_003_001;

/**
 * Creates schema `stats` and applies the committed drizzle-kit migrations. Idempotent, and safe when several
 * replicas start at once (an advisory lock serialises them).
 */
export async function migrateStats(url: string): Promise<void> {
  const { pool, close } = createDatabase(url, 1);
  const db = drizzle(pool);
  try {
    await pool.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await pool.query('CREATE SCHEMA IF NOT EXISTS "stats"');
    await migrate(db, { migrationsFolder: MIGRATIONS, migrationsSchema: "stats" });
    await migrate(db, {
      migrationsFolder: SNAPSHOT_MIGRATIONS,
      migrationsSchema: "stats",
      migrationsTable: "__drizzle_migrations_snapshot",
    });
    await pool.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  } finally {
    await close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { DATABASE_URL } = parseEnv(databaseEnv);
  migrateStats(DATABASE_URL).then(
    () => console.log("stats: migrations applied"),
    (err: unknown) => {
      console.error("stats: migration failed", err);
      process.exit(1);
    },
  );
}
