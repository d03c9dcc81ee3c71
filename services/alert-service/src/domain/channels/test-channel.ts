import { randomUUID } from "node:crypto";
import type { ChannelTestResult, ChannelType } from "@hip/contracts";
import { eq } from "drizzle-orm";
import { withTenant } from "../../db/client.ts";
import { channels } from "../../db/schema.ts";
import { type AlertMessage, DeliveryFailure } from "../../channels/model.ts";
import { openChannel } from "../../channels/secrets.ts";
import { send } from "../../channels/senders/index.ts";
import { type Actor, type DomainDeps, incidentLink } from "../context.ts";
import { findChannel } from "./read-channels.ts";

/** A synthetic notice: says it is a test, names the channel, carries no real incident. */
function testMessage(deps: Pick<DomainDeps, "dashboardUrl">, tenantId: string, name: string): AlertMessage {
  const id = randomUUID();
  const now = new Date();
  return {
    key: `${id}:test`,
    transition: "test",
    tenantId,
    incident: {
      id,
      tenantId,
      integrationId: id,
      integrationName: name,
      integrationType: null,
      state: "open",
      openedAt: now.toISOString(),
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolveReason: null,
      flapping: null,
      maintenance: null,
      kind: "STATUS",
      anomaly: null,
      parentIncidentId: null,
      suppressedBy: null,
      childCount: 0,
      children: [],
      error: {
        code: "TEST",
        stage: null,
        message: "Test notification from the integration health platform. No action is required.",
      },
    },
    link: incidentLink(deps.dashboardUrl, "test"),
    createdAt: now,
    now,
  };
}

/**
 * Sends a test notice through the channel now, through the same senders and SSRF guard as real deliveries (a
 * blocked target fails with SSRF_BLOCKED and is never contacted). PagerDuty gets a trigger then a resolve for
 * the same dedup_key, so the test does not leave a page open. The result is stored as the channel's lastTest.
 */
export async function testChannel(args: {
  deps: Pick<DomainDeps, "db" | "ring" | "send" | "dashboardUrl">;
  actor: Actor;
  id: string;
}): Promise<ChannelTestResult> {
  const { deps, actor } = args;
  const row = await withTenant(deps.db, actor.tenantId, (tx) => findChannel(tx, actor.tenantId, args.id));
  const channel = openChannel(deps.ring, row);
  const msg = testMessage(deps, actor.tenantId, row.name);
  const started = performance.now();
  let result: Omit<ChannelTestResult, "latencyMs" | "testedAt">;
  try {
    const res = await send(channel, msg, deps.send);
    if (channel.type === "PAGERDUTY") await send(channel, { ...msg, transition: "resolved" }, deps.send);
    result = { ok: true, channelType: row.type as ChannelType, statusCode: res.statusCode, error: null };
  } catch (err) {
    const f = err instanceof DeliveryFailure ? err : null;
    result = {
      ok: false,
      channelType: row.type as ChannelType,
      statusCode: f?.statusCode ?? null,
      error: { code: f?.code ?? "INTERNAL", message: f?.message ?? "test failed" },
    };
  }
  const testedAt = new Date().toISOString();
  await withTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .update(channels)
      .set({ lastTest: { at: testedAt, ok: result.ok, code: result.error?.code ?? null } })
      .where(eq(channels.id, row.id)),
  );
  return { ...result, latencyMs: Math.round(performance.now() - started), testedAt };
}
