import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A loopback HTTP server that counts requests per path; `hold` lets a test keep a request hanging. */
export class HttpPeer {
  readonly hits = new Map<string, number>();
  /** Paths whose next request is never answered (the test kills the worker meanwhile). */
  readonly hangOnce = new Set<string>();
  /** Paths answered only after this many ms (an in-flight probe during a graceful shutdown). */
  readonly delayMs = new Map<string, number>();
  private server: Server | null = null;
  private readonly hanging: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
      if (this.hangOnce.delete(path)) {
        this.hanging.push(res);
        return;
      }
      const answer = () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"status":"ok"}');
      };
      const delay = this.delayMs.get(path);
      if (delay) setTimeout(answer, delay);
      else answer();
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    return `http://127.0.0.1:${address.port}`;
  }

  total(): number {
    let n = 0;
    for (const v of this.hits.values()) n += v;
    return n;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
