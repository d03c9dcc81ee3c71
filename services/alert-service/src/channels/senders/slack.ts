import { postJson } from "../http-post.ts";
import { facts, headline } from "../messages.ts";
import type { AlertMessage, OpenChannel, SendContext, SendSuccess } from "../model.ts";

/**
 * Slack incoming webhook, Block Kit: a header, the facts as section fields, a context line, and a button to the
 * incident. `text` is the notification fallback. Slack answers 200 "ok"; 4xx (invalid_payload, no_service,
 * channel_is_archived) fail fast, 429/5xx are retried.
 */
export function slackPayload(msg: AlertMessage): Record<string, unknown> {
  const title = headline(msg);
  const fields = facts(msg)
    .slice(0, 10)
    .map(([label, value]) => ({ type: "mrkdwn", text: `*${label}*\n${slackEscape(value)}` }));
  return {
    text: title,
    blocks: [
      { type: "header", text: { type: "plain_text", text: title.slice(0, 150), emoji: true } },
      { type: "section", fields },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            text: { type: "plain_text", text: "Open incident" },
            url: msg.link,
            action_id: "open_incident",
          },
        ],
      },
      { type: "context", elements: [{ type: "mrkdwn", text: `HIP alert \`${slackEscape(msg.key)}\`` }] },
    ],
  };
}

/** Slack mrkdwn control characters. */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export async function sendSlack(
  channel: OpenChannel,
  msg: AlertMessage,
  ctx: SendContext,
): Promise<SendSuccess> {
  return postJson(channel.secrets.url ?? "", JSON.stringify(slackPayload(msg)), {}, ctx);
}
