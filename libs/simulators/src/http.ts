import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ListenOptions, listen } from "./net.ts";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface HttpPeer {
  port: number;
  url: string;
  /** The requests received, oldest first (the newest `maxRecorded` when a peer runs for long, as in the demo). */
  requests: RecordedRequest[];
  /** TCP connections accepted (proves whether any packet reached the peer). */
  connections: number;
  /** Requests received since start (not capped). */
  hits: () => number;
  close: () => Promise<void>;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

export interface HttpOptions extends ListenOptions {
  /** How many requests `requests` keeps (default 1,000), so a long-running simulator does not grow. */
  maxRecorded?: number;
}

async function servePeer(
  server: Server,
  handler: Handler,
  scheme: "http" | "https",
  opts: HttpOptions,
): Promise<HttpPeer> {
  const max = opts.maxRecorded ?? 1_000;
  let hits = 0;
  const peer: HttpPeer = {
    port: 0,
    url: "",
    requests: [],
    connections: 0,
    hits: () => hits,
    close: async () => {},
  };
  server.on("connection", (s: Socket) => {
    peer.connections++;
    s.on("error", () => {});
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rec = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      hits++;
      peer.requests.push(rec);
      if (peer.requests.length > max) peer.requests.shift();
      handler(rec, res);
    });
  });
  peer.port = await listen(server, opts);
  peer.url = `${scheme}://127.0.0.1:${peer.port}`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return peer;
}

/** A real HTTP/1.1 server on loopback; `handler` sees each request with its whole body. */
export function startHttp(handler: Handler, opts: HttpOptions = {}): Promise<HttpPeer> {
  return servePeer(createHttpServer(), handler, "http", opts);
}

export function startHttps(
  handler: Handler,
  cert: { key: string; cert: string },
  opts: HttpOptions = {},
): Promise<HttpPeer> {
  return servePeer(createHttpsServer({ key: cert.key, cert: cert.cert }), handler, "https", opts);
}

export function json(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  res.writeHead(status, { "content-type": type });
  res.end(JSON.stringify(body));
}

/** A self-signed certificate for localhost/127.0.0.1 valid for `days`, made with the openssl CLI. */
export function selfSignedCert(days: number): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "hip-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
        "-days",
        String(days),
        "-subj",
        "/CN=localhost/O=HIP Test",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
      ],
      { stdio: "ignore" },
    );
    return {
      key: readFileSync(join(dir, "key.pem"), "utf8"),
      cert: readFileSync(join(dir, "cert.pem"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
