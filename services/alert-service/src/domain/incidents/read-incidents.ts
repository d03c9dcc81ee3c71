import {
  type IncidentDetail,
  type IncidentView,
  isUuid,
  type ListIncidentsQuery,
  type TimelineEntry,
  type TimelineKind,
} from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, asc, desc, eq, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import { type Db, withTenant } from "../../db/client.ts";
import { incidents, timeline } from "../../db/schema.ts";
import { toView } from "./snapshot.ts";

export function toTimelineEntry(row: typeof timeline.$inferSelect): TimelineEntry {
  return {
    id: String(row.id),
    at: row.at.toISOString(),
    kind: row.kind as TimelineKind,
    actor: row.actor,
    data: row.data,
  };
}

interface Cursor {
  open: boolean;
  openedAt: string;
  id: string;
}

const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

function decode(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Cursor;
    if (typeof c.open !== "boolean" || Number.isNaN(Date.parse(c.openedAt)) || !isUuid(c.id)) {
      throw new Error("bad cursor");
    }
    return c;
  } catch {
    throw DomainError.validation([{ field: "cursor", rule: "cursor", message: "cursor is not valid" }]);
  }
}

/** Unresolved incidents first, then the rest; newest first within each; keyset-paginated. */
export async function listIncidents(
  db: Db,
  tenantId: string,
  q: ListIncidentsQuery,
): Promise<{ data: IncidentView[]; nextCursor: string | null }> {
  const where: SQL[] = [eq(incidents.tenantId, tenantId)];
  if (q.state) where.push(eq(incidents.state, q.state));
  if (q.integrationId) where.push(eq(incidents.integrationId, q.integrationId));
  if (q.cursor) {
    const c = decode(q.cursor);
    const after = sql`(${incidents.openedAt}, ${incidents.id}) < (${new Date(c.openedAt)}, ${c.id}::uuid)`;
    const page = c.open
      ? or(and(isNull(incidents.resolvedAt), after), isNotNull(incidents.resolvedAt))
      : and(isNotNull(incidents.resolvedAt), after);
    if (page) where.push(page);
  }
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(incidents)
      .where(and(...where))
      .orderBy(sql`(${incidents.resolvedAt} is null) desc`, desc(incidents.openedAt), desc(incidents.id))
      .limit(q.limit + 1),
  );
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  const now = new Date();
  return {
    data: page.map((r) => toView(r, now)),
    nextCursor:
      rows.length > q.limit && last
        ? encode({ open: last.resolvedAt === null, openedAt: last.openedAt.toISOString(), id: last.id })
        : null,
  };
}

export async function getIncident(db: Db, tenantId: string, id: string): Promise<IncidentDetail> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(incidents)
      .where(and(eq(incidents.id, id), eq(incidents.tenantId, tenantId)));
    if (!row) throw DomainError.notFound("Incident");
    const entries = await tx
      .select()
      .from(timeline)
      .where(eq(timeline.incidentId, id))
      .orderBy(asc(timeline.id))
      .limit(2000);
    return { ...toView(row), timeline: entries.map(toTimelineEntry) };
  });
}
