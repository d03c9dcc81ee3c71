import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Socket } from "node:net";

/** The "hospital system" the integration points at: a plain HTTP server we can take down mid-test. */
export interface LocalPeer {
  url: string;
  port: number;
  hits: () => number;
  stop: () => Promise<void>;
}

export async function startPeer(): Promise<LocalPeer> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hits += 1;
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", path: req.url }));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits: () => hits,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
}
