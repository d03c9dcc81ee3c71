import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type Socket } from "node:net";
import { benchSpec } from "./fixtures.ts";

// Child process of the benchmark, started twice: role "peer" is the loopback HTTP server the probes call;
// role "config" serves the config service's two internal endpoints for N integrations from pre-serialized
// JSON (no framework, no per-request work beyond a lookup), so the figures are the worker's, not the stand-in's.
// Role "peer" also opens a "black hole" (bench/system): a TCP listener that accepts and never answers; its
// address is printed as `blackhole` next to `url`, and the IPC "hits" answer counts its connections.
const role = process.argv[2] ?? "peer";
const n = Number(process.argv[3] ?? 10_000);
const interval = Number(process.argv[4] ?? 60);
const peerUrl = process.argv[5] ?? "http://127.0.0.1:9";
let hits = 0;
let blackholeConnections = 0;

const specs = new Map<string, Buffer>();
const ids: string[] = [];
const entries = new Map<string, object>();
if (role === "config") {
  for (let i = 0; i < n; i++) {
    const spec = benchSpec(i, peerUrl, interval);
    specs.set(spec.id, Buffer.from(JSON.stringify(spec)));
    ids.push(spec.id);
    const { id, tenantId, type, status, healthCheck, version } = spec;
    entries.set(spec.id, { id, tenantId, type, status, healthCheck, version });
  }
  ids.sort();
}

function config(req: IncomingMessage, res: ServerResponse): void {
  if (!req.headers.authorization?.startsWith("Bearer ")) {
    res.writeHead(401).end();
    return;
  }
  const url = new URL(req.url ?? "/", "http://x");
  const m = url.pathname.match(/^\/internal\/integrations\/([^/]+)\/connection-spec$/);
  if (m) {
    const body = specs.get(m[1] ?? "");
    if (!body) res.writeHead(404, { "content-type": "application/json" }).end("{}");
    else res.writeHead(200, { "content-type": "application/json" }).end(body);
    return;
  }
  if (url.pathname === "/internal/integrations/connection-specs" && req.method === "POST") {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const { ids: wanted } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { ids: string[] };
      const found = wanted.filter((id) => specs.has(id));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        `{"data":[${found.map((id) => specs.get(id)?.toString("utf8")).join(",")}],"missing":${JSON.stringify(
          wanted.filter((id) => !specs.has(id)),
        )}}`,
      );
    });
    return;
  }
  if (url.pathname === "/internal/integrations/schedules") {
    const limit = Number(url.searchParams.get("limit") ?? 500);
    const after = url.searchParams.get("cursor") ?? "";
    let start = 0;
    if (after) while (start < ids.length && (ids[start] ?? "") <= after) start++;
    const page = ids.slice(start, start + limit);
    const more = start + limit < ids.length;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({ data: page.map((id) => entries.get(id)), nextCursor: more ? page.at(-1) : null }),
    );
    return;
  }
  res.writeHead(404).end();
}

const server = createServer((req, res) => {
  if (role === "config") return config(req, res);
  hits++;
  res.writeHead(200, { "content-type": "application/json" });
  res.end('{"status":"ok"}');
});
server.keepAliveTimeout = 30_000;
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const address = server.address();
if (!address || typeof address === "string") throw new Error("no address");
let blackhole: string | undefined;
if (role === "peer") {
  const held = new Set<Socket>();
  const hole = createTcpServer((socket) => {
    blackholeConnections++;
    held.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => held.delete(socket));
  });
  await new Promise<void>((r) => hole.listen(0, "127.0.0.1", r));
  const a = hole.address();
  if (a && typeof a !== "string") blackhole = `http://127.0.0.1:${a.port}`;
}
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}`, blackhole })}\n`);
process.on("message", (msg) => {
  if (msg === "hits") process.send?.({ hits, blackholeConnections });
});
// The bench died without stopping us (kill -9, crash): go too.
process.on("disconnect", () => process.exit(0));
