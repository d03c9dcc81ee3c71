import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";

const VT = "\x0b";
const FS_CR = "\x1c\x0d";

export interface Peer {
  port: number;
  hits: () => number;
  close: () => Promise<void>;
}

/** A plain HTTP API that demands an API key header. */
export async function startHttpPeer(apiKey: string): Promise<Peer> {
  let hits = 0;
  const server: HttpServer = createHttpServer((req, res) => {
    hits++;
    if (req.headers["x-api-key"] !== apiKey) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end('{"status":"UP"}');
  });
  return listen(server, () => hits);
}

/** An HL7 v2 MLLP listener that acknowledges every message with AA and the sender's control id. */
export async function startMllpPeer(): Promise<Peer> {
  let hits = 0;
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buf = "";
    socket.on("data", (d) => {
      buf += d.toString("latin1");
      const start = buf.indexOf(VT);
      const end = buf.indexOf(FS_CR);
      if (start < 0 || end < 0) return;
      const message = buf.slice(start + 1, end);
      buf = buf.slice(end + 2);
      hits++;
      const msh = message.split("\r")[0]?.split("|") ?? [];
      const controlId = msh[9] ?? "";
      const version = msh[11] ?? "2.5";
      const ts = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
      const ack = [
        `MSH|^~\\&|PEER|PEERFAC|${msh[2] ?? ""}|${msh[3] ?? ""}|${ts}||ACK^${(msh[8] ?? "").split("^")[1] ?? ""}^ACK|ACK${controlId}|P|${version}`,
        `MSA|AA|${controlId}|Message accepted`,
      ].join("\r");
      socket.write(`${VT}${ack}\r${FS_CR}`, "latin1");
    });
  });
  const peer = await listen(server, () => hits);
  return {
    ...peer,
    close: async () => {
      for (const s of sockets) s.destroy();
      await peer.close();
    },
  };
}

async function listen(server: HttpServer | TcpServer, hits: () => number): Promise<Peer> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
