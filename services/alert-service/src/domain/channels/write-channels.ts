import { randomUUID } from "node:crypto";
import {
  ChannelConfigPatch,
  type ChannelType,
  type ChannelView,
  type CreateChannelBody,
  EmailChannelConfig,
  PagerDutyChannelConfig,
  SlackChannelConfig,
  TeamsChannelConfig,
  type UpdateChannelBody,
  WebhookChannelConfig,
} from "@hip/contracts";
import { DomainError, zodIssues } from "@hip/service-kit";
import { and, eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { withTenant } from "../../db/client.ts";
import { channels, deliveries, policies } from "../../db/schema.ts";
import { openSecrets, sealSecrets, splitConfig } from "../../channels/secrets.ts";
import { appendAudit } from "../audit/append.ts";
import type { Actor, DomainDeps } from "../context.ts";
import { isUniqueViolation } from "../pg-errors.ts";
import { findChannel } from "./read-channels.ts";
import { toChannelAudit, toChannelView } from "./view.ts";

const FULL_CONFIG: Record<ChannelType, z.ZodType> = {
  WEBHOOK: WebhookChannelConfig,
  SLACK: SlackChannelConfig,
  TEAMS: TeamsChannelConfig,
  PAGERDUTY: PagerDutyChannelConfig,
  EMAIL: EmailChannelConfig,
};

const nameTaken = () =>
  new DomainError("CONFLICT", "A channel with this name already exists", {
    details: [{ field: "name", rule: "unique", message: "name must be unique within the tenant" }],
  });

export async function createChannel(args: {
  deps: Pick<DomainDeps, "db" | "ring">;
  actor: Actor;
  input: CreateChannelBody;
}): Promise<ChannelView> {
  const { deps, actor, input } = args;
  const id = randomUUID();
  const { plain, secrets } = splitConfig(input.type, input.config as Record<string, unknown>);
  const sealed = sealSecrets(deps.ring, actor.tenantId, id, secrets);
  const now = new Date();
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(channels)
        .values({
          id,
          tenantId: actor.tenantId,
          name: input.name,
          type: input.type,
          config: plain,
          secretsEnc: sealed.secretsEnc,
          masks: sealed.masks,
          createdBy: actor.sub,
          updatedBy: actor.sub,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error("channel insert returned nothing");
      await appendAudit(tx, actor, {
        entityType: "channel",
        entityId: id,
        action: "create",
        before: null,
        after: toChannelAudit(row),
      });
      return toChannelView(row);
    });
  } catch (err) {
    if (isUniqueViolation(err, "channels_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

/**
 * PATCH: `name`, and `config` fields validated against the channel's type (errors name `config.<field>`).
 * Absent fields keep their value; a webhook `secret: null` removes the signature; a PagerDuty `url: null`
 * returns to the default endpoint. A patch that changes nothing keeps the version.
 */
export async function updateChannel(args: {
  deps: Pick<DomainDeps, "db" | "ring">;
  actor: Actor;
  id: string;
  input: UpdateChannelBody;
}): Promise<ChannelView> {
  const { deps, actor, input } = args;
  try {
    return await withTenant(deps.db, actor.tenantId, async (tx) => {
      const row = await findChannel(tx, actor.tenantId, args.id, true);
      const type = row.type as ChannelType;
      let config = row.config;
      let secretsEnc = row.secretsEnc;
      let masks = row.masks;
      let changed = input.name !== undefined && input.name !== row.name;
      if (input.config !== undefined) {
        const parsed = ChannelConfigPatch[type].safeParse(input.config);
        if (!parsed.success) throw DomainError.validation(zodIssues(parsed.error, "config"));
        const patch = parsed.data as Record<string, unknown>;
        const current = { ...row.config, ...openSecrets(deps.ring, row) };
        const merged: Record<string, unknown> = { ...current };
        for (const [k, v] of Object.entries(patch)) {
          if (v === undefined) continue;
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        const full = FULL_CONFIG[type].safeParse(merged);
        if (!full.success) throw DomainError.validation(zodIssues(full.error, "config"));
        if (JSON.stringify(sorted(merged)) !== JSON.stringify(sorted(current))) {
          changed = true;
          const { plain, secrets } = splitConfig(type, merged);
          const sealed = sealSecrets(deps.ring, row.tenantId, row.id, secrets);
          config = plain;
          secretsEnc = sealed.secretsEnc;
          masks = sealed.masks;
        }
      }
      if (!changed) return toChannelView(row);
      const [updated] = await tx
        .update(channels)
        .set({
          name: input.name ?? row.name,
          config,
          secretsEnc,
          masks,
          version: row.version + 1,
          updatedBy: actor.sub,
          updatedAt: new Date(),
        })
        .where(eq(channels.id, row.id))
        .returning();
      if (!updated) throw DomainError.notFound("Channel");
      await appendAudit(tx, actor, {
        entityType: "channel",
        entityId: row.id,
        action: "update",
        before: toChannelAudit(row),
        after: toChannelAudit(updated),
      });
      return toChannelView(updated);
    });
  } catch (err) {
    if (isUniqueViolation(err, "channels_tenant_name_uq")) throw nameTaken();
    throw err;
  }
}

function sorted(o: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

/** Deleting a channel a policy still uses is 409 (name the policies); pending deliveries to it are cancelled. */
export async function deleteChannel(args: {
  deps: Pick<DomainDeps, "db">;
  actor: Actor;
  id: string;
}): Promise<ChannelView> {
  const { deps, actor } = args;
  return withTenant(deps.db, actor.tenantId, async (tx) => {
    const row = await findChannel(tx, actor.tenantId, args.id, true);
    const users = await tx
      .select({ id: policies.id, name: policies.name })
      .from(policies)
      .where(
        and(
          eq(policies.tenantId, actor.tenantId),
          sql`(${policies.channelIds} ? ${row.id} or coalesce(${policies.escalation} -> 'channelIds', '[]'::jsonb) ? ${row.id})`,
        ),
      );
    if (users.length > 0) {
      throw new DomainError(
        "CONFLICT",
        `Channel is used by policies: ${users.map((u) => u.name).join(", ")}`,
        {
          details: users.map((u) => ({
            field: "id",
            rule: "in_use",
            message: `used by policy "${u.name}" (${u.id})`,
          })),
        },
      );
    }
    await tx.delete(channels).where(eq(channels.id, row.id));
    await tx
      .update(deliveries)
      .set({ state: "cancelled", finishedAt: new Date(), lastError: "channel deleted" })
      .where(and(eq(deliveries.channelId, row.id), eq(deliveries.state, "pending")));
    await appendAudit(tx, actor, {
      entityType: "channel",
      entityId: row.id,
      action: "delete",
      before: toChannelAudit(row),
      after: null,
    });
    return toChannelView(row);
  });
}
