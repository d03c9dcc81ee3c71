import { afterEach, describe, expect, it } from "vitest";
import { executeProbe } from "../index.ts";
import { closedPort, type HttpPeer, json, makeSpec, startHttp, startTcp, testCtx } from "../testing/peers.ts";

const peers: { close: () => Promise<void> }[] = [];
async function http(handler: Parameters<typeof startHttp>[0]): Promise<HttpPeer> {
  const p = await startHttp(handler);
  peers.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const ok = (res: Parameters<Parameters<typeof startHttp>[0]>[1]) => json(res, 200, { status: "UP" });

describe("HTTP probe: auth types", () => {
  it("NONE: GET on the endpoint, 2xx, timings and diagnostics", async () => {
    const peer = await http((_req, res) => ok(res));
    const out = await executeProbe(makeSpec({ endpoint: `${peer.url}/health` }), testCtx());
    expect(out).toMatchObject({ probe: "http", success: true, error: null, attempts: 1, tls: null });
    expect(out.diagnostics).toMatchObject({ httpStatus: 200, contentType: "application/json" });
    expect(out.timings.connectMs).toBeGreaterThanOrEqual(0);
    expect(out.timings.firstByteMs).toBeGreaterThanOrEqual(0);
    expect(out.timings.dnsMs).toBeNull();
    expect(out.latencyMs).toBe(out.timings.totalMs);
    expect(peer.requests[0]).toMatchObject({ method: "GET", url: "/health" });
    expect(peer.requests[0]?.headers.host).toBe(`127.0.0.1:${peer.port}`);
  });

  it("API key in the default X-API-Key header, and in a configured header", async () => {
    const peer = await http((req, res) =>
      req.headers["x-api-key"] === "k-123456" || req.headers["x-custom-key"] === "k-123456"
        ? ok(res)
        : json(res, 401, {}),
    );
    const a = await executeProbe(
      makeSpec({ endpoint: peer.url, authType: "API_KEY", apiKey: "k-123456" }),
      testCtx(),
    );
    expect(a.success).toBe(true);
    const b = await executeProbe(
      makeSpec({
        endpoint: peer.url,
        authType: "API_KEY",
        apiKey: "k-123456",
        config: { apiKeyHeader: "X-Custom-Key" },
      }),
      testCtx(),
    );
    expect(b.success).toBe(true);
    expect(peer.requests[1]?.headers["x-api-key"]).toBeUndefined();
  });

  it("API key in a query parameter, never echoed in diagnostics", async () => {
    const peer = await http((req, res) =>
      new URL(req.url, "http://x").searchParams.get("api_key") === "q-secret-9"
        ? ok(res)
        : json(res, 401, {}),
    );
    const out = await executeProbe(
      makeSpec({
        endpoint: `${peer.url}/v1?x=1`,
        authType: "API_KEY",
        apiKey: "q-secret-9",
        config: { apiKeyQueryParam: "api_key" },
      }),
      testCtx(),
    );
    expect(out.success).toBe(true);
    expect(peer.requests[0]?.url).toBe("/v1?x=1&api_key=q-secret-9");
    expect(JSON.stringify(out)).not.toContain("q-secret-9");
  });

  it("Basic auth", async () => {
    const peer = await http((req, res) =>
      req.headers.authorization === `Basic ${Buffer.from("alice:s3cret!").toString("base64")}`
        ? ok(res)
        : json(res, 401, {}),
    );
    const out = await executeProbe(
      makeSpec({ endpoint: peer.url, authType: "BASIC_AUTH", username: "alice", password: "s3cret!" }),
      testCtx(),
    );
    expect(out.success).toBe(true);
  });

  it("Bearer token; a refused credential is AUTH_FAILED and is not retried", async () => {
    const peer = await http((req, res) =>
      req.headers.authorization === "Bearer good-token" ? ok(res) : json(res, 401, {}),
    );
    expect(
      (
        await executeProbe(
          makeSpec({ endpoint: peer.url, authType: "TOKEN", token: "good-token" }),
          testCtx(),
        )
      ).success,
    ).toBe(true);
    const ctx = testCtx();
    const bad = await executeProbe(
      makeSpec({ endpoint: peer.url, authType: "TOKEN", token: "bad-token", retryAttempts: 3 }),
      ctx,
    );
    expect(bad.error).toMatchObject({ code: "AUTH_FAILED", stage: "auth" });
    expect(bad.attempts).toBe(1);
    expect(ctx.sleeps).toEqual([]);
  });

  it("custom headers reach the peer; auth wins over a same-named custom header", async () => {
    const peer = await http((_req, res) => ok(res));
    await executeProbe(
      makeSpec({
        endpoint: peer.url,
        authType: "TOKEN",
        token: "tok-abcdef",
        headers: { "X-Tenant": "north", Authorization: "Bearer spoofed" },
      }),
      testCtx(),
    );
    expect(peer.requests[0]?.headers["x-tenant"]).toBe("north");
    expect(peer.requests[0]?.headers.authorization).toBe("Bearer tok-abcdef");
    expect(peer.requests[0]?.headers["user-agent"]).toMatch(/^HIP-Probe/);
  });
});

describe("HTTP probe: status, body, method", () => {
  it("expected status from config; default 2xx", async () => {
    const peer = await http((_req, res) => json(res, 404, { error: "nope" }));
    const def = await executeProbe(makeSpec({ endpoint: peer.url }), testCtx());
    expect(def.error).toMatchObject({ code: "HTTP_STATUS", stage: "application" });
    expect(def.diagnostics.httpStatus).toBe(404);
    expect(
      (await executeProbe(makeSpec({ endpoint: peer.url, config: { expectedStatus: 404 } }), testCtx()))
        .success,
    ).toBe(true);
    expect(
      (
        await executeProbe(
          makeSpec({ endpoint: peer.url, config: { expectedStatus: [200, 404] } }),
          testCtx(),
        )
      ).success,
    ).toBe(true);
  });

  it("bodyContains and jsonPath/jsonEquals", async () => {
    const peer = await http((_req, res) => json(res, 200, { data: { items: [{ state: "ok" }] }, up: true }));
    const spec = (config: Record<string, unknown>) => makeSpec({ endpoint: peer.url, config });
    expect((await executeProbe(spec({ bodyContains: '"state":"ok"' }), testCtx())).success).toBe(true);
    expect(
      (await executeProbe(spec({ jsonPath: "$.data.items[0].state", jsonEquals: "ok" }), testCtx())).success,
    ).toBe(true);
    expect((await executeProbe(spec({ jsonPath: "up", jsonEquals: true }), testCtx())).success).toBe(true);
    const miss = await executeProbe(spec({ bodyContains: "DOWN" }), testCtx());
    expect(miss.error).toMatchObject({ code: "BODY_MISMATCH", stage: "application" });
    const neq = await executeProbe(
      spec({ jsonPath: "$.data.items[0].state", jsonEquals: "down" }),
      testCtx(),
    );
    expect(neq.error?.code).toBe("BODY_MISMATCH");
    expect(neq.error?.message).toBe('$.data.items[0].state is a string of 2 characters; expected "down"');
  });

  it("method and body from config", async () => {
    const peer = await http((_req, res) => ok(res));
    await executeProbe(
      makeSpec({ endpoint: peer.url, config: { method: "POST", path: "/ping", body: '{"ping":1}' } }),
      testCtx(),
    );
    expect(peer.requests[0]).toMatchObject({ method: "POST", url: "/ping", body: '{"ping":1}' });
    expect(peer.requests[0]?.headers["content-type"]).toBe("application/json");
  });

  it("a secret echoed back by the peer never reaches the outcome", async () => {
    const peer = await http((req, res) => json(res, 200, { echo: req.headers["x-api-key"] }));
    const out = await executeProbe(
      makeSpec({
        endpoint: peer.url,
        authType: "API_KEY",
        apiKey: "echoed-key-42",
        config: { jsonPath: "echo", jsonEquals: "x" },
      }),
      testCtx(),
    );
    expect(out.error?.code).toBe("BODY_MISMATCH");
    expect(JSON.stringify(out)).not.toContain("echoed-key-42");
    expect(out.error?.message).toBe('echo is a string of 13 characters; expected "x"');
  });
});

describe("HTTP probe: redirects", () => {
  it("follows redirects up to maxRedirects, and fails past it", async () => {
    const peer = await http((req, res) => {
      const n = Number(req.url.slice(1) || "0");
      if (n < 3) {
        res.writeHead(302, { location: `/${n + 1}` });
        return res.end();
      }
      ok(res);
    });
    const out = await executeProbe(makeSpec({ endpoint: `${peer.url}/0` }), testCtx());
    expect(out.success).toBe(true);
    expect(out.diagnostics.redirects).toHaveLength(3);
    const limited = await executeProbe(
      makeSpec({ endpoint: `${peer.url}/0`, config: { maxRedirects: 2 } }),
      testCtx(),
    );
    expect(limited.error).toMatchObject({ code: "TOO_MANY_REDIRECTS", stage: "application" });
    const none = await executeProbe(
      makeSpec({ endpoint: `${peer.url}/0`, config: { maxRedirects: 0, expectedStatus: 302 } }),
      testCtx(),
    );
    expect(none.success).toBe(true);
  });

  it("drops credentials when a redirect leaves the origin", async () => {
    const other = await http((_req, res) => ok(res));
    const first = await http((_req, res) => {
      res.writeHead(307, { location: `${other.url}/landing` });
      res.end();
    });
    const out = await executeProbe(
      makeSpec({
        endpoint: first.url,
        authType: "TOKEN",
        token: "tok-xyz-1",
        headers: {
          "X-Api-Token": "hdr-secret",
          "X-Credential": "cred-secret",
          "X-Authorization": "xauth-secret",
          "X-Trace": "kept",
        },
      }),
      testCtx(),
    );
    expect(out.success).toBe(true);
    expect(first.requests[0]?.headers.authorization).toBe("Bearer tok-xyz-1");
    expect(first.requests[0]?.headers["x-credential"]).toBe("cred-secret");
    const landed = other.requests[0]?.headers ?? {};
    expect(landed.authorization).toBeUndefined();
    expect(landed["x-api-token"]).toBeUndefined();
    // The one secret-header rule of @hip/contracts, the same the config service encrypts and masks by.
    expect(landed["x-credential"]).toBeUndefined();
    expect(landed["x-authorization"]).toBeUndefined();
    expect(landed["x-trace"]).toBe("kept");
  });

  it("re-checks every hop against the SSRF guard", async () => {
    const peer = await http((_req, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
      res.end();
    });
    const out = await executeProbe(makeSpec({ endpoint: peer.url, retryAttempts: 3 }), testCtx());
    expect(out.error).toMatchObject({ code: "SSRF_BLOCKED", stage: "dns" });
    expect(out.diagnostics.redirectedTo).toBe("http://169.254.169.254/latest/meta-data/");
    expect(out.attempts).toBe(1);
  });
});

describe("HTTP probe: transport failures and retries", () => {
  it("closed port: CONNECTION_REFUSED at stage connect, retried retryAttempts times with growing backoff", async () => {
    const port = await closedPort();
    const ctx = testCtx();
    const out = await executeProbe(
      makeSpec({ endpoint: `http://127.0.0.1:${port}/`, retryAttempts: 3 }),
      ctx,
    );
    expect(out.error).toMatchObject({ code: "CONNECTION_REFUSED", stage: "connect" });
    expect(out.attempts).toBe(4);
    expect(ctx.sleeps).toHaveLength(3);
    expect(ctx.sleeps[0]).toBeGreaterThanOrEqual(250);
    expect(ctx.sleeps[0]).toBeLessThanOrEqual(500);
    expect(ctx.sleeps[2]).toBeGreaterThanOrEqual(1000);
    expect(ctx.sleeps[2]).toBeLessThanOrEqual(2000);
  });

  it("5xx is retried; success on a later attempt reports the attempts made", async () => {
    let calls = 0;
    const peer = await http((_req, res) => (++calls < 3 ? json(res, 503, {}) : ok(res)));
    const out = await executeProbe(makeSpec({ endpoint: peer.url, retryAttempts: 5 }), testCtx());
    expect(out.success).toBe(true);
    expect(out.attempts).toBe(3);
  });

  it("a peer that never answers: TIMEOUT honoured per attempt", async () => {
    const silent = await startTcp();
    peers.push(silent);
    const started = Date.now();
    const out = await executeProbe(
      makeSpec({ endpoint: `http://127.0.0.1:${silent.port}/`, timeout: 300, retryAttempts: 1 }),
      testCtx(),
    );
    const elapsed = Date.now() - started;
    expect(out.error).toMatchObject({ code: "TIMEOUT", stage: "timeout" });
    expect(out.attempts).toBe(2);
    expect(silent.connections).toBe(2);
    expect(elapsed).toBeGreaterThanOrEqual(550);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("shutdown signal aborts without retrying", async () => {
    const silent = await startTcp();
    peers.push(silent);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const out = await executeProbe(
      makeSpec({ endpoint: `http://127.0.0.1:${silent.port}/`, timeout: 10_000, retryAttempts: 3 }),
      testCtx({ signal: ac.signal }),
    );
    expect(out.error?.code).toBe("ABORTED");
    expect(out.attempts).toBe(1);
  });

  it("an unresolvable host name is DNS_FAILED", async () => {
    const out = await executeProbe(makeSpec({ endpoint: "http://no-such-host.invalid/" }), testCtx());
    expect(out.error).toMatchObject({ code: "DNS_FAILED", stage: "dns" });
  });
});
