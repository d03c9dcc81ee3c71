import { json, startHttp } from "@hip/simulators";

/** The "hospital system" the integration points at: a plain HTTP server we can take down mid-test. */
export interface LocalPeer {
  url: string;
  port: number;
  hits: () => number;
  stop: () => Promise<void>;
}

export async function startPeer(): Promise<LocalPeer> {
  const peer = await startHttp((req, res) => json(res, 200, { status: "ok", path: req.url }));
  return { url: peer.url, port: peer.port, hits: peer.hits, stop: peer.close };
}
