import { createTransport } from "nodemailer";
import { facts, headline } from "../messages.ts";
import {
  type AlertMessage,
  DeliveryFailure,
  type OpenChannel,
  type SendContext,
  type SendSuccess,
} from "../model.ts";

type Transporter = ReturnType<typeof createTransport>;
const transports = new Map<string, Transporter>();

/** One pooled SMTP transport per SMTP_URL (STARTTLS is used whenever the server offers it; smtps:// is TLS). */
function transportFor(smtpUrl: string, timeoutMs: number): Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    const url = new URL(smtpUrl);
    t = createTransport({
      host: url.hostname,
      port: Number(url.port || (url.protocol === "smtps:" ? 465 : 587)),
      secure: url.protocol === "smtps:",
      ...(url.username
        ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
        : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    transports.set(smtpUrl, t);
  }
  return t;
}

/** Closes cached SMTP connections (shutdown). */
export function closeEmailTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}

const html = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function emailContent(msg: AlertMessage): { subject: string; text: string; html: string } {
  const title = headline(msg);
  const rows = facts(msg);
  const text = [
    title,
    "",
    ...rows.map(([k, v]) => `${k}: ${v}`),
    "",
    `Open the incident: ${msg.link}`,
    "",
    `HIP alert ${msg.key}`,
  ].join("\n");
  const table = rows
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0">${html(k)}</th><td>${html(v)}</td></tr>`,
    )
    .join("");
  const body =
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<h2 style="margin:0 0 12px">${html(title)}</h2>` +
    `<table style="border-collapse:collapse">${table}</table>` +
    `<p><a href="${html(msg.link)}">Open the incident</a></p>` +
    `<p style="color:#888;font-size:12px">HIP alert ${html(msg.key)}</p></body></html>`;
  return { subject: `[HIP] ${title}`, text, html: body };
}

/** Message-ID derived from the delivery key: the same on every retry, so mail systems can drop a duplicate. */
export function messageIdFor(key: string, channelId: string): string {
  return `<${key.replace(/:/g, ".")}.${channelId}@alerts.hip>`;
}

/**
 * Sends over SMTP (SMTP_URL; operator-configured, so not subject to the channel SSRF allowlist). 4xx SMTP
 * replies and connection failures are retried; 5xx replies (mailbox unknown, rejected) fail fast.
 */
export async function sendEmail(
  channel: OpenChannel,
  msg: AlertMessage,
  ctx: SendContext,
): Promise<SendSuccess> {
  if (!ctx.email) {
    throw new DeliveryFailure("SMTP_NOT_CONFIGURED", "SMTP_URL is not set: EMAIL channels cannot send", {
      retryable: false,
    });
  }
  const to = Array.isArray(channel.config.to) ? (channel.config.to as string[]) : [];
  const content = emailContent(msg);
  try {
    await transportFor(ctx.email.smtpUrl, ctx.timeoutMs).sendMail({
      from: ctx.email.from,
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId: messageIdFor(msg.key, channel.id),
      headers: { "X-HIP-Event-Id": msg.key, "Idempotency-Key": msg.key },
    });
    return { statusCode: 250 };
  } catch (err) {
    const e = err as { responseCode?: number; code?: string; message?: string };
    const code = e.responseCode ?? null;
    const message = `SMTP: ${(e.message ?? String(err)).slice(0, 300)}`;
    if (code !== null && code >= 500) {
      throw new DeliveryFailure(`SMTP_${code}`, message, { retryable: false, statusCode: code });
    }
    throw new DeliveryFailure(code ? `SMTP_${code}` : (e.code ?? "SMTP_FAILED"), message, {
      retryable: true,
      statusCode: code,
    });
  }
}
