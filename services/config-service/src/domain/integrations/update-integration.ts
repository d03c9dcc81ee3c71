import { isDeepStrictEqual } from "node:util";
import {
  type CredentialField,
  isSecretField,
  SECRET_FIELDS,
  type SecretField,
  type UpdateIntegrationBody,
} from "@hip/contracts";
import { withTenant } from "../../db/client.ts";
import type { IntegrationRow, NewIntegrationRow } from "../../db/schema.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { SECRET_COLUMNS, sealSecrets } from "../secrets/seal.ts";
import { statusChanged } from "../status/status-changed.ts";
import { appendChange, auditedBy } from "./append-change.ts";
import { checkDependsOn, lockDependencyGraph } from "./depends-on.ts";
import { assertRules, checkIfMatch, lockIntegration, mapUniqueName, updateRow } from "./shared.ts";
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
  recoveryThreshold: "recoveryThreshold",
  failureWindow: "failureWindow",
  trafficExpectations: "trafficExpectations",
} as const satisfies Partial<Record<keyof UpdateIntegrationBody, keyof IntegrationRow>>;

/** Deep equality, object keys in any order: jsonb stores keys in its own order, so a re-sent value is equal. */
const same = (a: unknown, b: unknown) => isDeepStrictEqual(a ?? null, b ?? null);

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
      // The graph lock before the row lock (depends-on.ts).
      if (input.dependsOn !== undefined) await lockDependencyGraph(tx, actor.tenantId);
      const row = await lockIntegration(tx, actor.tenantId, id);
      checkIfMatch(row, ifMatch);
      const diff = diffUpdate(row, input);
      if (input.dependsOn !== undefined) {
        const next = await checkDependsOn(tx, actor.tenantId, row.id, input.dependsOn);
        if (!same(next, row.dependsOn)) {
          diff.patch.dependsOn = next;
          diff.changed.push("dependsOn");
        }
      }
      if (diff.changed.length === 0) return row;
      const merged = { ...row, ...diff.patch };
      assertRules({ ...merged, has: (field) => hasCredential(merged, diff.secrets, field) });
      const sealed = sealSecrets({
        ring: deps.ring,
        tenantId: row.tenantId,
        id: row.id,
        masks: row.secretMasks,
        fields: diff.secrets,
        ...(input.headers !== undefined ? { headers: input.headers } : {}),
      });
      const now = new Date();
      const statusOnly = diff.statusChanged && diff.changed.length === 1;
      return appendChange(tx, {
        traceparent: actor.traceparent,
        topics: deps.topics,
        before: row,
        write: (eventSeq) =>
          updateRow(tx, row.id, {
            ...diff.patch,
            ...sealed.columns,
            secretMasks: sealed.masks,
            version: row.version + 1,
            eventSeq,
            updatedBy: actor.sub,
            updatedAt: now,
          }),
        events: [
          {
            type: "integration.updated",
            data: (after) => ({
              integration: toSnapshot(after),
              changedFields: diff.changed,
              actor: actor.sub,
            }),
          },
          ...(diff.statusChanged ? [statusChanged(row.status, "admin", null)] : []),
        ],
        audit: (after) => ({
          action: statusOnly ? "status_change" : "update",
          before: toAuditState(row),
          after: { ...toAuditState(after), changedFields: diff.changed },
          ...auditedBy(actor),
        }),
        now,
      });
    });
  } catch (err) {
    return mapUniqueName(err);
  }
}

interface UpdateDiff {
  /** Non-secret columns to write (status included). */
  patch: Partial<NewIntegrationRow>;
  /** Secret fields to (re)seal: a value sets, null clears. */
  secrets: Partial<Record<SecretField, string | null>>;
  /** Body field names that change, in a stable order (events and audit list them). */
  changed: string[];
  statusChanged: boolean;
}

/** What a PATCH changes compared with the stored row; unchanged values are left out. */
function diffUpdate(row: IntegrationRow, input: UpdateIntegrationBody): UpdateDiff {
  const patch: Partial<NewIntegrationRow> = {};
  const changed: string[] = [];
  for (const [key, column] of Object.entries(PLAIN) as Array<[keyof typeof PLAIN, keyof IntegrationRow]>) {
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
  const secrets: UpdateDiff["secrets"] = {};
  for (const field of SECRET_FIELDS) {
    const value = input[field];
    if (value === undefined || (value === null && row[SECRET_COLUMNS[field]] === null)) continue;
    secrets[field] = value;
    changed.push(field);
  }
  if (input.credentialsExpireAt !== undefined) {
    const next = input.credentialsExpireAt === null ? null : new Date(input.credentialsExpireAt);
    if ((next?.getTime() ?? null) !== (row.credentialsExpireAt?.getTime() ?? null)) {
      patch.credentialsExpireAt = next;
      changed.push("credentialsExpireAt");
    }
  }
  if (input.headers !== undefined) changed.push("headers");
  const statusChanged = input.status !== undefined && input.status !== row.status;
  if (statusChanged && input.status) {
    changed.push("status");
    patch.status = input.status;
    // An admin re-activating a failing integration starts its failure count afresh.
    if (input.status === "ACTIVE") {
      patch.consecutiveFailures = 0;
      patch.consecutiveSuccesses = 0;
    }
    // Every status change starts the failure window afresh (the probe path does the same).
    patch.recentResults = "";
  }
  return { patch, secrets, changed, statusChanged };
}

/** Whether the record holds a credential after the update: a secret being set or cleared wins over the stored one. */
function hasCredential(
  merged: IntegrationRow,
  secrets: UpdateDiff["secrets"],
  field: CredentialField,
): boolean {
  if (!isSecretField(field)) return Boolean(merged[field]);
  const next = secrets[field];
  return next !== undefined ? next !== null : merged[SECRET_COLUMNS[field]] !== null;
}
