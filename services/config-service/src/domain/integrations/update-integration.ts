import {
  type AuthType,
  type IntegrationType,
  SECRET_FIELDS,
  type UpdateIntegrationBody,
} from "@hip/contracts";
import { eq } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { type IntegrationRow, integrations, type NewIntegrationRow } from "../../db/schema.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { enqueueEvents, type PendingEvent } from "../outbox/enqueue.ts";
import { SECRET_COLUMNS, sealSecrets } from "../secrets/seal.ts";
import { assertRules, checkIfMatch, lockIntegration, mapUniqueName } from "./shared.ts";
import { toAuditState, toSnapshot } from "./view.ts";

/** Plain (non-secret) fields: body key -> column key. */
const PLAIN = {
  name: "name",
  type: "type",
  provider: "provider",
  description: "description",
  endpoint: "endpoint",
  webhookUrl: "webhookUrl",
  authType: "authType",
  username: "username",
  tokenUrl: "tokenUrl",
  clientId: "clientId",
  scope: "scope",
  config: "config",
  timeout: "timeout",
  retryAttempts: "retryAttempts",
  failureThreshold: "failureThreshold",
} as const satisfies Partial<Record<keyof UpdateIntegrationBody, keyof IntegrationRow>>;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Applies a PATCH under the row lock. A stale If-Match is a 412; the merged record must pass the cross-field
 * rules; a no-op PATCH changes nothing (no version bump, no event). Status changes by an admin also emit
 * `integration.status_changed` (reason admin) so status consumers see every transition.
 */
export async function updateIntegration(args: {
  deps: DomainDeps;
  actor: Actor;
  id: string;
  input: UpdateIntegrationBody;
  ifMatch?: number | undefined;
}): Promise<IntegrationRow> {
  const { deps, actor, id, input, ifMatch } = args;
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const row = await lockIntegration(tx, actor.tenantId, id);
      checkIfMatch(row, ifMatch);

      const patch: Partial<NewIntegrationRow> = {};
      const changed: string[] = [];
      for (const [key, column] of Object.entries(PLAIN) as Array<
        [keyof typeof PLAIN, keyof IntegrationRow]
      >) {
        const value = input[key];
        if (value === undefined || same(value, row[column])) continue;
        (patch as Record<string, unknown>)[column] = value;
        changed.push(key);
      }
      if (input.healthCheck) {
        const enabled = input.healthCheck.enabled ?? row.healthEnabled;
        const intervalSeconds = input.healthCheck.intervalSeconds ?? row.healthIntervalSeconds;
        if (enabled !== row.healthEnabled || intervalSeconds !== row.healthIntervalSeconds) {
          patch.healthEnabled = enabled;
          patch.healthIntervalSeconds = intervalSeconds;
          changed.push("healthCheck");
        }
      }
      const secretFields: Partial<Record<(typeof SECRET_FIELDS)[number], string | null>> = {};
      for (const field of SECRET_FIELDS) {
        const value = input[field];
        if (value === undefined || (value === null && row[SECRET_COLUMNS[field]] === null)) continue;
        secretFields[field] = value;
        changed.push(field);
      }
      if (input.headers !== undefined) changed.push("headers");
      const statusChanged = input.status !== undefined && input.status !== row.status;
      if (statusChanged) changed.push("status");
      if (changed.length === 0) return row;

      const merged = { ...row, ...patch };
      const has = (field: (typeof SECRET_FIELDS)[number]) =>
        secretFields[field] !== undefined
          ? secretFields[field] !== null
          : row[SECRET_COLUMNS[field]] !== null;
      assertRules({
        type: merged.type as IntegrationType,
        authType: merged.authType as AuthType,
        endpoint: merged.endpoint,
        webhookUrl: merged.webhookUrl,
        tokenUrl: merged.tokenUrl,
        has: {
          apiKey: has("apiKey"),
          password: has("password"),
          token: has("token"),
          clientSecret: has("clientSecret"),
          username: Boolean(merged.username),
          clientId: Boolean(merged.clientId),
          tokenUrl: Boolean(merged.tokenUrl),
        },
      });

      const sealed = sealSecrets({
        ring: deps.ring,
        tenantId: row.tenantId,
        id: row.id,
        masks: row.secretMasks,
        fields: secretFields,
        ...(input.headers !== undefined ? { headers: input.headers } : {}),
      });
      const now = new Date();
      const eventCount = statusChanged ? 2 : 1;
      if (statusChanged && input.status) {
        patch.status = input.status;
        // An admin re-activating a failing integration starts its failure count afresh.
        if (input.status === "ACTIVE") patch.consecutiveFailures = 0;
      }
      const [updated] = await tx
        .update(integrations)
        .set({
          ...patch,
          ...sealed.columns,
          secretMasks: sealed.masks,
          version: row.version + 1,
          eventSeq: row.eventSeq + eventCount,
          updatedBy: actor.sub,
          updatedAt: now,
        })
        .where(eq(integrations.id, row.id))
        .returning();
      if (!updated) throw new Error("update returned no row");

      const events: PendingEvent[] = [
        {
          topic: deps.topics.config,
          type: "integration.updated",
          tenantId: updated.tenantId,
          integrationId: updated.id,
          sequence: row.eventSeq + 1,
          data: { integration: toSnapshot(updated), changedFields: changed, actor: actor.sub },
        },
      ];
      if (statusChanged) {
        events.push({
          topic: deps.topics.status,
          type: "integration.status_changed",
          tenantId: updated.tenantId,
          integrationId: updated.id,
          sequence: row.eventSeq + 2,
          data: {
            integrationId: updated.id,
            from: row.status,
            to: updated.status,
            reason: "admin",
            consecutiveFailures: updated.consecutiveFailures,
            lastError: updated.lastError,
            lastSyncedAt: updated.lastSyncedAt?.toISOString() ?? null,
            causationId: null,
          },
        });
      }
      await enqueueEvents(tx, events, now);
      await appendAudit(
        tx,
        {
          tenantId: updated.tenantId,
          entityId: updated.id,
          action: statusChanged && changed.length === 1 ? "status_change" : "update",
          actor: actor.sub,
          before: toAuditState(row),
          after: { ...toAuditState(updated), changedFields: changed },
          requestId: actor.requestId,
          clientIp: actor.ip,
        },
        now,
      );
      return updated;
    });
  } catch (err) {
    return mapUniqueName(err);
  }
}
