import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { guardedHttpRequest } from "./http-client.ts";

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe("guardedHttpRequest: cross-origin redirects", () => {
  it("drop every secret-named header even when the caller named none (alert channels, any caller)", async () => {
    let landed: IncomingHttpHeaders = {};
    const other = await serve((req, res) => {
      landed = req.headers;
      res.end("ok");
    });
    const first = await serve((_req, res) => {
      res.writeHead(302, { location: `${other}/x` });
      res.end();
    });
    const res = await guardedHttpRequest({
      url: first,
      method: "GET",
      headers: { "x-credential": "c", "x-authorization": "a", authorization: "Bearer t", "x-trace": "kept" },
      maxRedirects: 2,
      rejectUnauthorized: true,
      allowedCidrs: ["127.0.0.0/8"],
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    expect(landed["x-trace"]).toBe("kept");
    expect([landed["x-credential"], landed["x-authorization"], landed.authorization]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
