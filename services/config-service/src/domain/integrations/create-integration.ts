import { randomUUID } from "node:crypto";
import type { CreateIntegrationBody } from "@hip/contracts";
import { withTenant } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { enqueueEvents } from "../outbox/enqueue.ts";
import { sealSecrets } from "../secrets/seal.ts";
import { assertRules, mapUniqueName } from "./shared.ts";
import { toAuditState, toSnapshot } from "./view.ts";

/** Creates a record, its `integration.created` outbox event and its audit entry in one transaction. */
export async function createIntegration(args: {
  deps: DomainDeps;
  actor: Actor;
  input: CreateIntegrationBody;
}): Promise<IntegrationRow> {
  const { deps, actor, input } = args;
  assertRules({
    type: input.type,
    authType: input.authType,
    endpoint: input.endpoint,
    webhookUrl: input.webhookUrl,
    tokenUrl: input.tokenUrl,
    has: {
      apiKey: Boolean(input.apiKey),
      username: Boolean(input.username),
      password: Boolean(input.password),
      token: Boolean(input.token),
      clientId: Boolean(input.clientId),
      clientSecret: Boolean(input.clientSecret),
      tokenUrl: Boolean(input.tokenUrl),
    },
  });
  const id = randomUUID();
  const now = new Date();
  const sealed = sealSecrets({
    ring: deps.ring,
    tenantId: actor.tenantId,
    id,
    masks: { fields: {}, headers: {} },
    fields: {
      apiKey: input.apiKey ?? null,
      apiSecret: input.apiSecret ?? null,
      password: input.password ?? null,
      token: input.token ?? null,
      clientSecret: input.clientSecret ?? null,
    },
    headers: input.headers ?? null,
  });
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(integrations)
        .values({
          id,
          tenantId: actor.tenantId,
          name: input.name,
          type: input.type,
          provider: input.provider ?? null,
          description: input.description ?? null,
          endpoint: input.endpoint ?? null,
          webhookUrl: input.webhookUrl ?? null,
          authType: input.authType,
          username: input.username ?? null,
          tokenUrl: input.tokenUrl ?? null,
          clientId: input.clientId ?? null,
          scope: input.scope ?? null,
          ...sealed.columns,
          secretMasks: sealed.masks,
          status: input.status,
          config: input.config ?? null,
          timeout: input.timeout,
          retryAttempts: input.retryAttempts,
          healthEnabled: input.healthCheck.enabled,
          healthIntervalSeconds: input.healthCheck.intervalSeconds,
          failureThreshold: input.failureThreshold,
          eventSeq: 1,
          createdBy: actor.sub,
          updatedBy: actor.sub,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error("insert returned no row");
      await enqueueEvents(
        tx,
        [
          {
            topic: deps.topics.config,
            type: "integration.created",
            tenantId: row.tenantId,
            integrationId: row.id,
            sequence: 1,
            data: { integration: toSnapshot(row), actor: actor.sub },
          },
        ],
        now,
      );
      await appendAudit(
        tx,
        {
          tenantId: row.tenantId,
          entityId: row.id,
          action: "create",
          actor: actor.sub,
          before: null,
          after: toAuditState(row),
          requestId: actor.requestId,
          clientIp: actor.ip,
        },
        now,
      );
      return row;
    });
  } catch (err) {
    return mapUniqueName(err);
  }
}
