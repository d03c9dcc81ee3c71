import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect received bodies freely
  json: any;
  at: number;
}

export type Responder = (
  req: Received,
  n: number,
) =>
  | { status: number; headers?: Record<string, string>; body?: string }
  | Promise<{ status: number; headers?: Record<string, string>; body?: string }>;

/** A real HTTP receiver on loopback that records every request and answers with `respond`. */
export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** Requests whose answer was a 2xx. */
  accepted: Received[];
  connections: number;
  respond: Responder;
  close(): Promise<void>;
}

export async function startReceiver(
  respond: Responder = () => ({ status: 200, body: "ok" }),
  port = 0,
): Promise<Receiver> {
  const r: Receiver = {
    url: "",
    port: 0,
    received: [],
    accepted: [],
    connections: 0,
    respond,
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: unknown = null;
      try {
        json = JSON.parse(raw);
      } catch {
        json = null;
      }
      const rec: Received = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        raw,
        json,
        at: Date.now(),
      };
      r.received.push(rec);
      void Promise.resolve(r.respond(rec, r.received.length)).then(
        (answer) => {
          if (answer.status >= 200 && answer.status < 300) r.accepted.push(rec);
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body ?? "");
        },
        () => res.destroy(),
      );
    });
  });
  server.on("connection", () => {
    r.connections++;
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return r;
}
