import type { Server } from "node:http";
import { connect, createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";

/** Where a simulator listens: a fixed port (the demo), or 0 for a free one (tests). Always loopback. */
export interface ListenOptions {
  port?: number;
  host?: string;
}

/** Listens on loopback and resolves with the port; rejects with a readable message when the port is taken. */
export async function listen(server: Server | NetServer, opts: ListenOptions = {}): Promise<number> {
  const port = opts.port ?? 0;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === "EADDRINUSE"
          ? new Error(`${host}:${port} is already in use (${err.code})`, { cause: err })
          : err,
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const addr = server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return addr.port;
}

export interface TcpPeer {
  port: number;
  /** TCP connections accepted (proves whether any packet reached the peer). */
  connections: number;
  close: () => Promise<void>;
}

/** A TCP listener that records connections and hands each socket to `onSocket` (default: keep it open). */
export async function startTcp(
  onSocket: (s: Socket) => void = () => {},
  opts: ListenOptions = {},
): Promise<TcpPeer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((s) => {
    peer.connections++;
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
    onSocket(s);
  });
  const peer: TcpPeer = {
    port: 0,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        if (!server.listening) return resolve();
        server.close(() => resolve());
      }),
  };
  peer.port = await listen(server, opts);
  return peer;
}

/** A port that had a listener a moment ago and now has none (connection refused): "a system that is down". */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (for peers run as child processes). */
export async function waitListening(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on 127.0.0.1:${port} after ${timeoutMs} ms`);
}
