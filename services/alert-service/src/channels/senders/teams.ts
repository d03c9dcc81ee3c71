import { postJson } from "../http-post.ts";
import { facts, headline } from "../messages.ts";
import type { AlertMessage, OpenChannel, SendContext, SendSuccess } from "../model.ts";

/**
 * Microsoft Teams "Post to a channel when a webhook request is received" workflow: a message with one Adaptive
 * Card attachment (schema 1.4): a title, a FactSet and an Action.OpenUrl to the incident. Workflows answer 202.
 */
export function teamsPayload(msg: AlertMessage): Record<string, unknown> {
  const title = headline(msg);
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          msteams: { width: "Full" },
          body: [
            {
              type: "TextBlock",
              text: title,
              weight: "Bolder",
              size: "Medium",
              wrap: true,
              color:
                msg.transition === "resolved" || (msg.transition === "settled" && msg.incident.resolvedAt)
                  ? "Good"
                  : msg.transition === "acknowledged"
                    ? "Accent"
                    : "Attention",
            },
            { type: "FactSet", facts: facts(msg).map(([title, value]) => ({ title, value })) },
            { type: "TextBlock", text: `HIP alert ${msg.key}`, isSubtle: true, size: "Small", wrap: true },
          ],
          actions: [{ type: "Action.OpenUrl", title: "Open incident", url: msg.link }],
        },
      },
    ],
  };
}

export async function sendTeams(
  channel: OpenChannel,
  msg: AlertMessage,
  ctx: SendContext,
): Promise<SendSuccess> {
  return postJson(channel.secrets.url ?? "", JSON.stringify(teamsPayload(msg)), {}, ctx);
}
