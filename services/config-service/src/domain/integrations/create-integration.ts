import { randomUUID } from "node:crypto";
import type { CreateIntegrationBody } from "@hip/contracts";
import { withTenant } from "../../db/client.ts";
import { type IntegrationRow, integrations } from "../../db/schema.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { sealSecrets } from "../secrets/seal.ts";
import { appendChange, auditedBy } from "./append-change.ts";
import { checkDependsOn } from "./depends-on.ts";
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
    has: (field) => Boolean(input[field]),
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
      const dependsOn = await checkDependsOn(tx, actor.tenantId, id, input.dependsOn);
      return appendChange(tx, {
        traceparent: actor.traceparent,
        topics: deps.topics,
        before: null,
        write: async (eventSeq) => {
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
              recoveryThreshold: input.recoveryThreshold,
              failureWindow: input.failureWindow ?? null,
              credentialsExpireAt: input.credentialsExpireAt ? new Date(input.credentialsExpireAt) : null,
              trafficExpectations: input.trafficExpectations ?? null,
              dependsOn,
              eventSeq,
              createdBy: actor.sub,
              updatedBy: actor.sub,
              createdAt: now,
              updatedAt: now,
            })
            .returning();
          if (!row) throw new Error("insert returned no row");
          return row;
        },
        events: [
          {
            type: "integration.created",
            data: (row) => ({ integration: toSnapshot(row), actor: actor.sub }),
          },
        ],
        audit: (row) => ({ action: "create", before: null, after: toAuditState(row), ...auditedBy(actor) }),
        now,
      });
    });
  } catch (err) {
    return mapUniqueName(err);
  }
}
