import { randomUUID } from "node:crypto";
import { withTenant } from "../../db/client.ts";
import { type ConnectionTestRow, connectionTests } from "../../db/schema.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { appendChange, auditedBy } from "../integrations/append-change.ts";
import { lockIntegration, updateRow } from "../integrations/shared.ts";

export const TEST_DONE_CHANNEL = "config_test_done";

/** How long a request waits for its probe: timeout x (retries + 1) + 2 s, capped (30 s by default). */
export function testWaitMs(timeout: number, retryAttempts: number, maxMs: number): number {
  return Math.min(timeout * (retryAttempts + 1) + 2000, maxMs);
}

/** Inserts a PENDING test and its `integration.test_requested` event in one transaction. */
export async function requestConnectionTest(args: {
  deps: DomainDeps;
  actor: Actor;
  id: string;
  maxWaitMs: number;
}): Promise<{ test: ConnectionTestRow; waitMs: number }> {
  const { deps, actor, id } = args;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await lockIntegration(tx, actor.tenantId, id);
    const now = new Date();
    const waitMs = testWaitMs(row.timeout, row.retryAttempts, args.maxWaitMs);
    const [test] = await tx
      .insert(connectionTests)
      .values({
        id: randomUUID(),
        tenantId: row.tenantId,
        integrationId: row.id,
        status: "PENDING",
        requestedBy: actor.sub,
        requestedAt: now,
      })
      .returning();
    if (!test) throw new Error("insert returned no row");
    await appendChange(tx, {
      traceparent: actor.traceparent,
      topics: deps.topics,
      before: row,
      write: (eventSeq) => updateRow(tx, row.id, { eventSeq }),
      events: [
        {
          type: "integration.test_requested",
          data: () => ({ testId: test.id, integrationId: row.id, requestedBy: actor.sub, waitMs }),
        },
      ],
      audit: () => ({
        action: "test",
        before: null,
        after: { testId: test.id, waitMs },
        ...auditedBy(actor),
      }),
      now,
    });
    return { test, waitMs };
  });
}
