import { type ConnectionTestList, isUuid } from "@hip/contracts";
import { DomainError } from "@hip/service-kit";
import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { type ConnectionTestRow, connectionTests } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { getIntegration } from "../integrations/read-integrations.ts";
import { toTestView } from "../integrations/view.ts";

export async function findTest(
  deps: DomainDeps,
  tenantId: string,
  integrationId: string,
  testId: string,
): Promise<ConnectionTestRow | undefined> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(connectionTests)
      .where(
        and(
          eq(connectionTests.id, testId),
          eq(connectionTests.integrationId, integrationId),
          eq(connectionTests.tenantId, tenantId),
        ),
      );
    return row;
  });
}

export async function getTest(
  deps: DomainDeps,
  tenantId: string,
  integrationId: string,
  testId: string,
): Promise<ConnectionTestRow> {
  const row = await findTest(deps, tenantId, integrationId, testId);
  if (!row) throw DomainError.notFound("Connection test");
  return row;
}

/** Test history, newest first; cursor = `<requestedAt ISO>|<id>` of the last row, base64url. */
export async function listTests(
  deps: DomainDeps,
  tenantId: string,
  integrationId: string,
  page: { limit: number; cursor?: string | undefined },
): Promise<ConnectionTestList> {
  await getIntegration(deps, tenantId, integrationId);
  const where: SQL[] = [
    eq(connectionTests.tenantId, tenantId),
    eq(connectionTests.integrationId, integrationId),
  ];
  if (page.cursor) {
    const [at, id] = Buffer.from(page.cursor, "base64url").toString("utf8").split("|");
    const date = new Date(at ?? "");
    if (!id || Number.isNaN(date.getTime()) || !isUuid(id)) {
      throw DomainError.validation([{ field: "cursor", rule: "cursor", message: "cursor is invalid" }]);
    }
    where.push(sql`(${connectionTests.requestedAt}, ${connectionTests.id}) < (${date}, ${id}::uuid)`);
  }
  const rows = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select()
      .from(connectionTests)
      .where(and(...where))
      .orderBy(desc(connectionTests.requestedAt), desc(connectionTests.id))
      .limit(page.limit + 1),
  );
  const data = rows.slice(0, page.limit);
  const last = data.at(-1);
  const nextCursor =
    rows.length > page.limit && last
      ? Buffer.from(`${last.requestedAt.toISOString()}|${last.id}`).toString("base64url")
      : null;
  return { data: data.map(toTestView), nextCursor };
}
