import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";

/** The projection row of an integration, created empty on first sight, locked for the rest of the transaction. */
export async function lockIntegration(tx: Tx, id: string, tenantId: string): Promise<IntegrationRow> {
  // One statement: insert on first sight, else a no-op update that locks the row and returns it.
  const [row] = await tx
    .insert(integrations)
    .values({ id, tenantId })
    .onConflictDoUpdate({ target: integrations.id, set: { id: sql`excluded.id` } })
    .returning();
  if (!row) throw new Error(`projection row ${id} vanished`);
  return row;
}
