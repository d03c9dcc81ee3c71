import type { ChannelType } from "@hip/contracts";
import type { AlertMessage, OpenChannel, SendContext, SendSuccess } from "../model.ts";
import { sendEmail } from "./email.ts";
import { sendPagerDuty } from "./pagerduty.ts";
import { sendSlack } from "./slack.ts";
import { sendTeams } from "./teams.ts";
import { sendWebhook } from "./webhook.ts";

type Sender = (channel: OpenChannel, msg: AlertMessage, ctx: SendContext) => Promise<SendSuccess>;

const SENDERS: Record<ChannelType, Sender> = {
  WEBHOOK: sendWebhook,
  SLACK: sendSlack,
  TEAMS: sendTeams,
  PAGERDUTY: sendPagerDuty,
  EMAIL: sendEmail,
};

/** Sends one notice through one channel; throws DeliveryFailure (retryable or not). */
export function send(channel: OpenChannel, msg: AlertMessage, ctx: SendContext): Promise<SendSuccess> {
  return SENDERS[channel.type](channel, msg, ctx);
}
