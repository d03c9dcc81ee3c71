import { createHmac } from "node:crypto";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startAuthApi } from "./auth-api.ts";
import { startFhirServer } from "./fhir.ts";
import { startFlappingApi } from "./flapping.ts";
import { ackFor, frame, startMllp } from "./mllp.ts";
import { closedPort, listen } from "./net.ts";
import { startWebhookReceiver, verifyHipSignature } from "./webhook.ts";

const open: { close: () => Promise<void> }[] = [];
const keep = <T extends { close: () => Promise<void> }>(p: T): T => {
  open.push(p);
  return p;
};
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** Sends `chunks` over one TCP connection and resolves with everything received until `until` matches. */
function exchange(port: number, chunks: Buffer[], until: (got: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const s = connect(port, "127.0.0.1", async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    s.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (until(got)) {
        s.destroy();
        resolve(got);
      }
    });
    s.on("error", reject);
  });
}

const MSG =
  "MSH|^~\\&|HIP|HIP|LIS|LAB|20260101000000||NMD^N02^NMD_N02|CTRL42|P|2.5.1\rNCK|20260101000000+0000";

describe("MLLP listener", () => {
  it("answers AA with the sender's control id, also for a message split across TCP segments", async () => {
    const peer = keep(await startMllp({ ackCode: "AA" }));
    const framed = frame(MSG);
    const got = await exchange(peer.port, [framed.subarray(0, 10), framed.subarray(10)], (b) =>
      b.includes(0x1c),
    );
    const ack = got.subarray(1, got.indexOf(0x1c)).toString();
    expect(got[0]).toBe(0x0b);
    expect(ack).toMatch(/\rMSA\|AA\|CTRL42\|/);
    expect(ack.split("\r")[0]?.split("|")[8]).toBe("ACK^N02^ACK");
    expect(peer.received).toEqual([MSG]);
  });

  it("answers AE with an ERR segment carrying the text; two messages on one connection get two ACKs", async () => {
    const peer = keep(await startMllp({ ackCode: "AE", text: "Unknown receiving application" }));
    const second = MSG.replace("CTRL42", "CTRL43");
    const got = await exchange(
      peer.port,
      [Buffer.concat([frame(MSG), frame(second)])],
      (b) => b.filter((x) => x === 0x1c).length === 2,
    );
    const text = got.toString();
    expect(text).toContain("MSA|AE|CTRL42|Unknown receiving application");
    expect(text).toContain("MSA|AE|CTRL43|");
    expect(text).toMatch(/ERR\|[^\r]*Unknown receiving application/);
    expect(peer.hits()).toBe(2);
  });

  it("ackFor keeps the message's version and processing id", () => {
    const ack = ackFor(MSG.replace("|P|2.5.1", "|T|2.3"), "AA");
    expect(ack.split("\r")[0]?.split("|").slice(10, 12)).toEqual(["T", "2.3"]);
  });
});

describe("HTTP API with each auth type", () => {
  it("API key, basic and bearer: 200 with the right credential, 401 without", async () => {
    const key = keep(await startAuthApi({ auth: { type: "API_KEY", key: "k-123456" } }));
    const basic = keep(await startAuthApi({ auth: { type: "BASIC_AUTH", username: "u", password: "p w" } }));
    const bearer = keep(await startAuthApi({ auth: { type: "TOKEN", token: "t-abc" } }));
    const status = async (url: string, headers: Record<string, string> = {}) =>
      (await fetch(url, { headers })).status;
    expect(await status(key.url, { "x-api-key": "k-123456" })).toBe(200);
    expect(await status(key.url, { "x-api-key": "k-123457" })).toBe(401);
    expect(
      await status(basic.url, { authorization: `Basic ${Buffer.from("u:p w").toString("base64")}` }),
    ).toBe(200);
    expect(await status(basic.url)).toBe(401);
    expect(await status(bearer.url, { authorization: "Bearer t-abc" })).toBe(200);
    expect(await status(bearer.url, { authorization: "Bearer t-abd" })).toBe(401);
  });

  it("OAuth2 client credentials: the token endpoint issues tokens the API accepts; a wrong secret gets none", async () => {
    const api = keep(await startAuthApi({ auth: { type: "OAUTH", clientId: "c1", clientSecret: "s1" } }));
    const token = async (secret: string) =>
      fetch(api.tokenUrl, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`c1:${secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials&scope=read",
      });
    const refused = await token("nope");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: "invalid_client" });
    const ok = (await (await token("s1")).json()) as { access_token: string; expires_in: number };
    expect(ok.expires_in).toBeGreaterThan(0);
    expect((await fetch(api.url, { headers: { authorization: `Bearer ${ok.access_token}` } })).status).toBe(
      200,
    );
    expect((await fetch(api.url, { headers: { authorization: "Bearer forged" } })).status).toBe(401);
    expect(api.tokensIssued()).toBe(1);
  });
});

describe("FHIR, flapping, webhook, ports", () => {
  it("FHIR: /metadata is an R4 CapabilityStatement as application/fhir+json", async () => {
    const fhir = keep(await startFhirServer());
    const res = await fetch(`${fhir.base}/metadata`);
    expect(res.headers.get("content-type")).toBe("application/fhir+json");
    expect(await res.json()).toMatchObject({ resourceType: "CapabilityStatement", fhirVersion: "4.0.1" });
    expect((await fetch(`${fhir.base}/Nope`)).status).toBe(404);
  });

  it("flapping: follows its pattern request by request", async () => {
    const f = keep(await startFlappingApi({ pattern: "UD" }));
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await fetch(f.url)).status);
    expect(codes).toEqual([200, 503, 200, 503]);
    expect(f.answered()).toEqual({ total: 4, failures: 2 });
  });

  it("webhook receiver: accepts a valid HIP signature once per event id, refuses a bad one", async () => {
    const secret = "whsec_unit";
    const rx = keep(await startWebhookReceiver({ secret }));
    const body = JSON.stringify({ type: "hip.webhook.test" });
    const send = (sig: string, id: string) => {
      const ts = Math.floor(Date.now() / 1000);
      const mac = createHmac("sha256", sig).update(`${ts}.${body}`).digest("hex");
      return fetch(rx.url, {
        method: "POST",
        headers: { "x-hip-timestamp": String(ts), "x-hip-signature": `v1=${mac}`, "x-hip-event-id": id },
        body,
      });
    };
    expect((await send(secret, "e1")).status).toBe(204);
    expect((await send(secret, "e1")).status).toBe(204);
    expect((await send("wrong", "e2")).status).toBe(401);
    expect(rx.deliveries.map((d) => d.eventId)).toEqual(["e1"]);
    expect(rx.rejected()).toBe(1);
    const listed = (await (await fetch(`${rx.url}/deliveries`)).json()) as { deliveries: unknown[] };
    expect(listed.deliveries).toHaveLength(1);
  });

  it("verifyHipSignature refuses a stale timestamp", () => {
    const ts = 1_000;
    const mac = createHmac("sha256", "s").update(`${ts}.x`).digest("hex");
    const args = { secret: "s", rawBody: "x", timestamp: String(ts), signature: `v1=${mac}` };
    expect(verifyHipSignature({ ...args, now: (ts + 10) * 1000 })).toBe(true);
    expect(verifyHipSignature({ ...args, now: (ts + 301) * 1000 })).toBe(false);
  });

  it("a taken port is reported plainly; a closed port refuses connections", async () => {
    const first = keep(await startFlappingApi());
    const { createServer } = await import("node:http");
    await expect(listen(createServer(), { port: first.port })).rejects.toThrow(/already in use/);
    const port = await closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
