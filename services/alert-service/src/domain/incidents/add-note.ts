import type { TimelineEntry } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, eq } from "drizzle-orm";
import { type Db, withTenant } from "../../db/client.ts";
import { incidents, timeline } from "../../db/schema.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { toTimelineEntry } from "./read-incidents.ts";

/** Adds a note to an incident's timeline (open or resolved: notes serve the post-mortem too). */
export async function addNote(args: {
  deps: Pick<DomainDeps, "db">;
  actor: Actor;
  id: string;
  text: string;
}): Promise<TimelineEntry> {
  const { actor } = args;
  const db: Db = args.deps.db;
  return withTenant(db, actor.tenantId, async (tx) => {
    const [row] = await tx
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(eq(incidents.id, args.id), eq(incidents.tenantId, actor.tenantId)));
    if (!row) throw DomainError.notFound("Incident");
    const [entry] = await tx
      .insert(timeline)
      .values({
        tenantId: actor.tenantId,
        incidentId: row.id,
        kind: "note",
        actor: actor.sub,
        data: { text: args.text },
        at: new Date(),
      })
      .returning();
    if (!entry) throw new Error("note insert returned nothing");
    return toTimelineEntry(entry);
  });
}
