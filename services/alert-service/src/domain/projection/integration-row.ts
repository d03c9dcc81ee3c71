import { eq } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";

/** The projection row of an integration, created empty on first sight, locked for the rest of the transaction. */
export async function lockIntegration(tx: Tx, id: string, tenantId: string): Promise<IntegrationRow> {
  await tx.insert(integrations).values({ id, tenantId }).onConflictDoNothing();
  const [row] = await tx.select().from(integrations).where(eq(integrations.id, id)).for("update");
  if (!row) throw new Error(`projection row ${id} vanished`);
  return row;
}
