import { afterEach, describe, expect, it } from "vitest";
import { executeProbe } from "./index.ts";
import { redactString, secretsOf } from "./scrub.ts";
import { type HttpPeer, json, makeSpec, startHttp, testCtx } from "./testing/peers.ts";

const peers: { close: () => Promise<void> }[] = [];
async function http(handler: Parameters<typeof startHttp>[0]): Promise<HttpPeer> {
  const p = await startHttp(handler);
  peers.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()));
});

const b64 = (s: string) => Buffer.from(s).toString("base64");

/** A peer answering 500 and echoing a request detail in the headers the probe captures into diagnostics. */
const echoing = (pick: (req: Parameters<Parameters<typeof startHttp>[0]>[0]) => string) =>
  http((req, res) => {
    res.writeHead(500, { server: `echo ${pick(req)}`, "content-type": `text/plain; x=${pick(req)}` });
    res.end("failed");
  });

describe("secrets echoed back in any form never reach the outcome", () => {
  it("Basic credentials echoed in a captured header: neither the base64 pair nor the password", async () => {
    const peer = await echoing((req) => req.headers.authorization ?? "");
    const out = await executeProbe(
      makeSpec({ endpoint: peer.url, authType: "BASIC_AUTH", username: "alice", password: "pa55-word!" }),
      testCtx(),
    );
    expect(out.error?.code).toBe("HTTP_STATUS");
    const text = JSON.stringify(out);
    expect(text).not.toContain(b64("alice:pa55-word!").replace(/=+$/, ""));
    expect(text).not.toContain("pa55-word!");
    expect(out.diagnostics.server).toBe("echo Basic [REDACTED]");
  });

  it("an OAuth token endpoint quoting the Basic client credentials in its 401 error", async () => {
    const idp = await http((req, res) =>
      json(res, 401, { error: "invalid_client", error_description: `rejected ${req.headers.authorization}` }),
    );
    const out = await executeProbe(
      makeSpec({
        endpoint: "http://127.0.0.1:1/never",
        authType: "OAUTH",
        tokenUrl: `${idp.url}/oauth/token`,
        clientId: "client:1",
        clientSecret: "cs/secret+value",
      }),
      testCtx(),
    );
    expect(out.error?.code).toBe("OAUTH_TOKEN_FAILED");
    const sent = idp.requests[0]?.headers.authorization ?? "";
    expect(sent.startsWith("Basic ")).toBe(true);
    expect(out.error?.message).toContain("rejected Basic [REDACTED]");
    expect(JSON.stringify(out)).not.toContain(sent.slice(6).replace(/=+$/, ""));
  });

  it("a URL-encoded query API key and the base64 of the key alone", async () => {
    const apiKey = "k+y/with space&=9";
    const peer = await echoing((req) => `${req.url} ${b64(apiKey)}`);
    const out = await executeProbe(
      makeSpec({
        endpoint: `${peer.url}/v1`,
        authType: "API_KEY",
        apiKey,
        config: { apiKeyQueryParam: "key" },
      }),
      testCtx(),
    );
    expect(peer.requests[0]?.url).toContain(new URLSearchParams({ key: apiKey }).toString());
    const text = JSON.stringify(out);
    expect(text).not.toContain(new URLSearchParams({ key: apiKey }).toString().slice(4));
    expect(text).not.toContain(encodeURIComponent(apiKey));
    expect(text).not.toContain(b64(apiKey).replace(/=+$/, ""));
    expect(out.diagnostics.server).toBe("echo /v1?key=[REDACTED] [REDACTED]");
  });

  it("the access token an OAuth peer issued, echoed by the resource server", async () => {
    const idp = await http((_req, res) =>
      json(res, 200, { access_token: "issued-at-7f3a9c", token_type: "Bearer", expires_in: 60 }),
    );
    const api = await echoing((req) => req.headers.authorization ?? "");
    const out = await executeProbe(
      makeSpec({
        endpoint: api.url,
        authType: "OAUTH",
        tokenUrl: `${idp.url}/token`,
        clientId: "c1",
        clientSecret: "cs-12345678",
      }),
      testCtx(),
    );
    expect(api.requests[0]?.headers.authorization).toBe("Bearer issued-at-7f3a9c");
    expect(JSON.stringify(out)).not.toContain("issued-at-7f3a9c");
    expect(out.diagnostics.server).toBe("echo Bearer [REDACTED]");
  });

  it("a secret-named custom header's value, and the start of a secret cut by a length cap", async () => {
    const value = "hdr-secret-0123456789";
    const peer = await echoing((req) => `${"x".repeat(180)}${req.headers["x-credential"]}`);
    const out = await executeProbe(
      makeSpec({ endpoint: peer.url, headers: { "X-Credential": value } }),
      testCtx(),
    );
    // diagnostics.server is capped at 200 characters: "echo " + 180 + the first 15 characters of the value.
    const server = String(out.diagnostics.server);
    expect(server).not.toContain(value.slice(0, 8));
    expect(server.endsWith("[REDACTED]")).toBe(true);
  });

  it("redactString covers raw, encoded and base64 forms and leaves other text alone", () => {
    const forms = secretsOf(makeSpec({ token: "tok en/+1", username: "u", password: "p@ss word" }));
    const s = redactString(
      `a ${encodeURIComponent("tok en/+1")} b ${b64("u:p@ss word")} c ${b64("tok en/+1")} d tok+en%2F%2B1 e`,
      forms,
    );
    expect(s).toBe("a [REDACTED] b [REDACTED] c [REDACTED] d [REDACTED] e");
    expect(redactString("nothing secret here", forms)).toBe("nothing secret here");
  });
});

describe("condition failures never echo the value found", () => {
  it("a jsonPath mismatch names only the type and size of what an internal service answered", async () => {
    const peer = await http((_req, res) =>
      json(res, 200, { checks: { db: "internal-db-host:5432", cache: "up" }, name: "inner-svc" }),
    );
    const spec = (config: Record<string, unknown>) => makeSpec({ endpoint: peer.url, config });
    const obj = await executeProbe(spec({ jsonPath: "$.checks", jsonEquals: "ok" }), testCtx());
    expect(obj.error?.code).toBe("BODY_MISMATCH");
    expect(obj.error?.message).toBe('$.checks is an object with 2 keys; expected "ok"');
    const str = await executeProbe(spec({ jsonPath: "$.name", jsonEquals: "x" }), testCtx());
    expect(str.error?.message).toBe('$.name is a string of 9 characters; expected "x"');
    expect(JSON.stringify([obj, str])).not.toMatch(/internal-db-host|inner-svc/);
  });
});

describe("redactString on long input", () => {
  it("redacts the cut tail of an 8 KiB secret at the end of a 64 KiB text", () => {
    const value = "v".repeat(8192);
    const forms = secretsOf(makeSpec({ headers: { "X-Api-Key": value } }));
    const text = `${"a".repeat(65_536)}${value.slice(0, 100)}`;
    expect(redactString(text, forms).endsWith("a[REDACTED]")).toBe(true);
  });
});
