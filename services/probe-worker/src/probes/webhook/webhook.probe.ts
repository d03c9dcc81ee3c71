import { randomUUID } from "node:crypto";
import type { HttpResponse } from "@hip/net-guard";
import { type AttemptEnv, succeeded } from "../attempt.ts";
import { checkStatus } from "../http/checks.ts";
import { failWith } from "../http/http.probe.ts";
import { authedRequest, diagnosticsOf } from "../http/request.ts";
import { PROBE_BODY_CAPS } from "../limits.ts";
import { type AttemptOutcome, ProbeFailure } from "../types.ts";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "@hip/contracts";

export const WEBHOOK_TEST_EVENT_TYPE = "hip.webhook.test";

/** The test event: identity and a note only, never credentials or config. */
export function webhookTestEvent(env: AttemptEnv, eventId: string, timestamp: number) {
  return {
    id: eventId,
    type: WEBHOOK_TEST_EVENT_TYPE,
    createdAt: new Date(timestamp * 1000).toISOString(),
    data: {
      integrationId: env.spec.id,
      tenantId: env.spec.tenantId,
      name: env.spec.name,
      message: "Connectivity test from the integration health platform. No action is required.",
    },
  };
}

/** POSTs a signed test event to webhookUrl (or endpoint) and expects 2xx (or config.expectedStatus). */
export async function webhookProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  let res: HttpResponse | null = null;
  try {
    const url = env.spec.webhookUrl ?? env.spec.endpoint;
    if (!url) throw new ProbeFailure("INVALID_URL", "connect", "the integration has no webhookUrl");
    const eventId = randomUUID();
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(webhookTestEvent(env, eventId, timestamp));
    const secret = env.spec.apiSecret ?? env.spec.token;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      [TIMESTAMP_HEADER]: String(timestamp),
      [EVENT_ID_HEADER]: eventId,
    };
    if (secret) headers[SIGNATURE_HEADER] = signWebhook(secret, timestamp, body);
    res = await authedRequest(env, {
      url,
      method: "POST",
      headers,
      body,
      maxBodyBytes: PROBE_BODY_CAPS.small,
    });
    checkStatus(res, env.cfg.expectedStatus);
    return succeeded(env, "webhook", {
      timings: res.timings,
      tls: res.tls,
      diagnostics: { ...diagnosticsOf(res), eventId, signed: Boolean(secret) },
    });
  } catch (err) {
    return failWith(env, "webhook", err, res);
  }
}
