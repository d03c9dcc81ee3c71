import { createServer as createHttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One received mail, parsed. */
export interface SunkMail {
  id: number;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  subject: string;
  from: string;
  to: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface SmtpSink {
  smtpPort: number;
  httpPort: number;
  smtpUrl: string;
  httpUrl: string;
  messages: SunkMail[];
  close(): Promise<void>;
}

/**
 * A local SMTP sink for development and tests: a real SMTP server (smtp-server, any or no auth, STARTTLS off)
 * that parses every mail (mailparser) and keeps the newest 500 in memory, served over HTTP: `GET /messages`
 * (JSON, newest first) and `GET /` (a plain HTML list). Never relays anything.
 */
export async function startSmtpSink(
  opts: { smtpPort?: number; httpPort?: number; host?: string } = {},
): Promise<SmtpSink> {
  const host = opts.host ?? "127.0.0.1";
  const messages: SunkMail[] = [];
  let seq = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(_auth, _session, cb) {
      cb(null, { user: "dev" });
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of mail.headers) headers[k] = typeof v === "string" ? v : JSON.stringify(v);
          const addr = (a: unknown) =>
            a && typeof a === "object" && "text" in a ? String((a as { text: string }).text) : "";
          messages.unshift({
            id: ++seq,
            receivedAt: new Date().toISOString(),
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            messageId: mail.messageId ?? null,
            subject: mail.subject ?? "",
            from: addr(mail.from),
            to: Array.isArray(mail.to) ? mail.to.map(addr).join(", ") : addr(mail.to),
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            headers,
          });
          if (messages.length > 500) messages.length = 500;
          cb();
        })
        .catch((err: Error) => cb(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once("error", reject);
    smtp.listen(opts.smtpPort ?? 0, host, () => resolve());
  });
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const http = createHttpServer((req, res) => {
    if (req.url === "/messages") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(messages));
      return;
    }
    const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><title>SMTP sink</title><h1>${messages.length} mail(s)</h1>` +
        messages
          .map(
            (m) =>
              `<details><summary>${esc(m.receivedAt)} — ${esc(m.subject)} → ${esc(m.to)}</summary>${m.html || `<pre>${esc(m.text)}</pre>`}</details>`,
          )
          .join(""),
    );
  });
  await new Promise<void>((resolve) => http.listen(opts.httpPort ?? 0, host, () => resolve()));
  const httpPort = (http.address() as AddressInfo).port;
  return {
    smtpPort,
    httpPort,
    smtpUrl: `smtp://${host}:${smtpPort}`,
    httpUrl: `http://${host}:${httpPort}`,
    messages,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await new Promise<void>((r) => smtp.close(() => r()));
    },
  };
}

if (import.meta.main) {
  const sink = await startSmtpSink({
    host: process.env.SMTP_SINK_HOST ?? "127.0.0.1",
    smtpPort: Number(process.env.SMTP_SINK_PORT ?? 2525),
    httpPort: Number(process.env.SMTP_SINK_HTTP_PORT ?? 8025),
  });
  console.log(`smtp-sink: SMTP ${sink.smtpUrl}, mails at ${sink.httpUrl}/ (JSON: ${sink.httpUrl}/messages)`);
  const stop = () => void sink.close().then(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
