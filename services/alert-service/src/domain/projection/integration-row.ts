import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IntegrationRow, integrations, processedEvents } from "../../db/schema.ts";

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

/**
 * Records that this transaction applies event `eventId`; false when it was applied before (a redelivery or a
 * replay), in which case the caller does nothing. Committed with the event's effects, so exactly once.
 */
export async function firstTimeApplied(tx: Tx, eventId: string): Promise<boolean> {
  const fresh = await tx
    .insert(processedEvents)
    .values({ eventId })
    .onConflictDoNothing()
    .returning({ id: processedEvents.eventId });
  return fresh.length > 0;
}
