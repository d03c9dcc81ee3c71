import { defineConfig } from "drizzle-kit";

// `pnpm db:generate` writes SQL migrations into ./drizzle from the schema; the SQL is committed and applied by
// src/db/migrate.ts. Hand-written SQL (RLS, append-only audit trigger) lives in custom migrations there.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
  schemaFilter: ["alerts"],
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/hip" },
});
