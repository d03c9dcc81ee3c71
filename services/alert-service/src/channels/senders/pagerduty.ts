import { postJson } from "../http-post.ts";
import { facts, headline, integrationLabel } from "../messages.ts";
import type { AlertMessage, OpenChannel, SendContext, SendSuccess } from "../model.ts";

export type PagerDutyAction = "trigger" | "acknowledge" | "resolve";

/**
 * Opened, reminders, escalation and flapping trigger (PagerDuty folds repeats into the alert by dedup_key);
 * `settled` resolves when the incident settled in ACTIVE (it was resolved with that notice), else triggers.
 */
export function pagerDutyAction(transition: string, resolved = false): PagerDutyAction {
  if (transition === "acknowledged") return "acknowledge";
  if (transition === "resolved") return "resolve";
  if (transition === "settled" && resolved) return "resolve";
  return "trigger";
}

/**
 * PagerDuty Events API v2. `dedup_key` is the incident id, so trigger / acknowledge / resolve act on one
 * PagerDuty alert, and a repeated trigger is merged into it. PagerDuty answers 202; 400 fails fast; 429/5xx retry.
 */
export function pagerDutyPayload(routingKey: string, msg: AlertMessage): Record<string, unknown> {
  const action = pagerDutyAction(msg.transition, msg.incident.resolvedAt !== null);
  const base = { routing_key: routingKey, event_action: action, dedup_key: msg.incident.id };
  if (action !== "trigger") return base;
  const i = msg.incident;
  return {
    ...base,
    payload: {
      summary: headline(msg).slice(0, 1024),
      source: integrationLabel(i),
      severity: msg.transition === "test" ? "info" : msg.notice ? "warning" : "critical",
      timestamp: i.openedAt,
      component: i.integrationType ?? undefined,
      group: i.tenantId,
      class: i.error?.code,
      custom_details: Object.fromEntries(facts(msg)),
    },
    client: "Integration Health Platform",
    client_url: msg.link,
    links: [{ href: msg.link, text: "Open incident" }],
  };
}

export async function sendPagerDuty(
  channel: OpenChannel,
  msg: AlertMessage,
  ctx: SendContext,
): Promise<SendSuccess> {
  const url = typeof channel.config.url === "string" ? channel.config.url : ctx.pagerDutyUrl;
  const body = pagerDutyPayload(channel.secrets.routingKey ?? "", msg);
  return postJson(url, JSON.stringify(body), {}, ctx);
}
