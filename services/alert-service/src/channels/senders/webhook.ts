import {
  type AlertWebhookBody,
  EVENT_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from "@hip/contracts";
import { postJson } from "../http-post.ts";
import type { AlertMessage, OpenChannel, SendContext, SendSuccess } from "../model.ts";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";

/** The JSON body a WEBHOOK channel receives (AlertWebhookBody); identical on every retry of one delivery. */
export function webhookBody(msg: AlertMessage): AlertWebhookBody {
  const i = msg.incident;
  return {
    id: msg.key,
    type: msg.notice ? `hip.notice.${msg.transition}` : `hip.incident.${msg.transition}`,
    transition: msg.transition,
    createdAt: msg.createdAt.toISOString(),
    tenant: { id: msg.tenantId },
    integration: { id: i.integrationId, name: i.integrationName, type: i.integrationType },
    incident: {
      id: i.id,
      state: i.state,
      openedAt: i.openedAt,
      acknowledgedAt: i.acknowledgedAt,
      acknowledgedBy: i.acknowledgedBy,
      resolvedAt: i.resolvedAt,
      resolveReason: i.resolveReason,
    },
    error: i.error,
    ...(msg.notice ? { notice: msg.notice } : {}),
    ...(msg.transition === "children"
      ? { dependents: { count: Math.max(i.childCount, i.children.length), children: i.children } }
      : {}),
    ...(i.parentIncidentId ? { parentIncidentId: i.parentIncidentId } : {}),
    link: msg.link,
  };
}

/**
 * Signed exactly like the WEBHOOK probe (docs/webhooks.md): `X-HIP-Timestamp` and `X-HIP-Signature: v1=<hex
 * HMAC-SHA256(secret, ts + "." + body)>` when a secret is set; `Idempotency-Key` and `X-HIP-Event-Id` carry the
 * delivery's `<incidentId>:<transition>` on every attempt, so a receiver that dedups sees one notice.
 */
export async function sendWebhook(
  channel: OpenChannel,
  msg: AlertMessage,
  ctx: SendContext,
): Promise<SendSuccess> {
  const url = channel.secrets.url ?? "";
  const raw = JSON.stringify(webhookBody(msg));
  const ts = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    [EVENT_ID_HEADER]: msg.key,
    [IDEMPOTENCY_HEADER]: msg.key,
    [TIMESTAMP_HEADER]: String(ts),
  };
  const secret = channel.secrets.secret;
  if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, ts, raw);
  return postJson(url, raw, headers, ctx);
}
