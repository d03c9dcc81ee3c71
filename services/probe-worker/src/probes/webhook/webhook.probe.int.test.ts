import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeProbe } from "../index.ts";
import { type HttpPeer, json, makeSpec, startHttp, testCtx } from "../testing/peers.ts";
import { signWebhook, verifyWebhook } from "@hip/contracts";

const SECRET = "whsec_test_0123456789";

describe("webhook probe", () => {
  let receiver: HttpPeer;
  beforeAll(async () => {
    // A receiver doing exactly what docs/webhooks.md tells integrators to do.
    receiver = await startHttp((req, res) => {
      const valid = verifyWebhook({
        secret: SECRET,
        rawBody: req.body,
        timestampHeader: req.headers["x-hip-timestamp"] as string | undefined,
        signatureHeader: req.headers["x-hip-signature"] as string | undefined,
      });
      json(res, valid ? 204 : 401, valid ? {} : { error: "bad signature" });
    });
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("POSTs a signed test event the receiver verifies (secret = apiSecret)", async () => {
    const out = await executeProbe(
      makeSpec({ type: "WEBHOOK", webhookUrl: `${receiver.url}/hooks/hip`, apiSecret: SECRET }),
      testCtx(),
    );
    expect(out).toMatchObject({ probe: "webhook", success: true });
    expect(out.diagnostics).toMatchObject({ httpStatus: 204, signed: true });
    const req = receiver.requests.at(-1);
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/hooks/hip");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["x-hip-event-id"]).toBe(out.diagnostics.eventId);
    const body = JSON.parse(req?.body ?? "{}") as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe("hip.webhook.test");
    expect(body.data.integrationId).toBe(makeSpec().id);
    expect(req?.body).not.toContain(SECRET);
    expect(req?.headers["x-hip-signature"]).toBe(
      signWebhook(SECRET, Number(req?.headers["x-hip-timestamp"]), req?.body ?? ""),
    );
  });

  it("falls back to the token as signing secret", async () => {
    const out = await executeProbe(
      makeSpec({ type: "WEBHOOK", webhookUrl: receiver.url, token: SECRET }),
      testCtx(),
    );
    expect(out.success).toBe(true);
  });

  it("a wrong secret is refused by the receiver: AUTH_FAILED", async () => {
    const out = await executeProbe(
      makeSpec({ type: "WEBHOOK", webhookUrl: receiver.url, apiSecret: "not-the-secret", retryAttempts: 2 }),
      testCtx(),
    );
    expect(out.error).toMatchObject({ code: "AUTH_FAILED", stage: "auth" });
    expect(out.attempts).toBe(1);
  });
});

describe("verifyWebhook", () => {
  const body = '{"id":"e1"}';
  const ts = 1_700_000_000;
  const sig = signWebhook(SECRET, ts, body);
  const base = {
    secret: SECRET,
    rawBody: body,
    timestampHeader: String(ts),
    signatureHeader: sig,
    nowSec: ts + 10,
  };

  it("accepts the signature and rejects tampering, other secrets and stale timestamps", () => {
    expect(verifyWebhook(base)).toBe(true);
    expect(verifyWebhook({ ...base, rawBody: '{"id":"e2"}' })).toBe(false);
    expect(verifyWebhook({ ...base, secret: "other" })).toBe(false);
    expect(verifyWebhook({ ...base, nowSec: ts + 301 })).toBe(false);
    expect(verifyWebhook({ ...base, signatureHeader: undefined })).toBe(false);
    expect(verifyWebhook({ ...base, signatureHeader: `v1=00, ${sig}` })).toBe(true);
  });
});
