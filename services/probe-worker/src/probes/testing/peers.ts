import type { ConnectionSpec } from "@hip/contracts";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProbeContext } from "../index.ts";
import { OAuthTokenCache } from "../oauth-token-cache.ts";

/** Test-only helpers: real peers on 127.0.0.1 and spec/context builders. Never imported by runtime code. */

export function makeSpec(over: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    id: "0b5f3c1e-6a39-4a1e-9b5e-1f2d3c4b5a69",
    tenantId: "tenant-a",
    name: "test integration",
    type: "API",
    status: "ACTIVE",
    endpoint: null,
    webhookUrl: null,
    authType: "NONE",
    apiKey: null,
    apiSecret: null,
    username: null,
    password: null,
    token: null,
    tokenUrl: null,
    clientId: null,
    clientSecret: null,
    scope: null,
    headers: {},
    config: {},
    timeout: 3_000,
    retryAttempts: 0,
    healthCheck: { enabled: true, intervalSeconds: 60 },
    version: 1,
    ...over,
  };
}

export function testCtx(over: Partial<ProbeContext> = {}): ProbeContext & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    allowedCidrs: ["127.0.0.0/8"],
    tokenCache: new OAuthTokenCache(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    sleeps,
    ...over,
  };
}

export async function listen(server: Server | NetServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export interface HttpPeer {
  port: number;
  url: string;
  requests: RecordedRequest[];
  /** TCP connections accepted (proves whether any packet reached the peer). */
  connections: number;
  close: () => Promise<void>;
}

type Handler = (req: RecordedRequest, res: ServerResponse) => void;

async function servePeer(server: Server, handler: Handler, scheme: "http" | "https"): Promise<HttpPeer> {
  const peer: HttpPeer = { port: 0, url: "", requests: [], connections: 0, close: async () => {} };
  server.on("connection", (s: Socket) => {
    peer.connections++;
    s.on("error", () => {});
  });
  server.on("secureConnection", () => {});
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
      peer.requests.push(rec);
      handler(rec, res);
    });
  });
  peer.port = await listen(server);
  peer.url = `${scheme}://127.0.0.1:${peer.port}`;
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return peer;
}

export function startHttp(handler: Handler): Promise<HttpPeer> {
  return servePeer(createHttpServer(), handler, "http");
}

export function startHttps(handler: Handler, cert: { key: string; cert: string }): Promise<HttpPeer> {
  return servePeer(createHttpsServer({ key: cert.key, cert: cert.cert }), handler, "https");
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

/** A TCP listener that records connections and hands each socket to `onSocket` (default: keep it open). */
export async function startTcp(onSocket: (s: Socket) => void = () => {}): Promise<{
  port: number;
  connections: number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    peer.connections++;
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
    onSocket(s);
  });
  const peer = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  peer.port = await listen(server);
  return peer;
}

/** A port that had a listener a moment ago and now has none (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
