/*
 * HOOK for the alert-service (issue 11, built on another branch at the time of writing; port 3005).
 *
 * When an alert-service answers GET /ready, the demo adds two alert channels, a webhook into the demo webhook
 * receiver and an e-mail into the local SMTP sink that `./dev up` runs with it, and one policy sending every
 * demo incident to both. When nothing answers, it says so and does nothing. Every failure here is reported and
 * never stops the demo: the request shapes follow the alert branch's contracts as of this writing
 * (`CreateChannelBody`, `CreatePolicyBody` with `integrations: { scope: "all" }`) and are to be checked once that
 * service is merged.
 */
import type { ApiClient } from "./seed.ts";

export interface AlertSeedInput {
  alertUrl: string;
  api: ApiClient;
  webhookUrl: string;
  webhookSecret: string;
  emailTo: string;
  log: (line: string) => void;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url.replace(/\/$/, "")}/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok;
  } catch {
    return false;
  }
}

interface Named {
  id: string;
  name: string;
}

async function ensureNamed(
  api: ApiClient,
  path: string,
  body: { name: string } & Record<string, unknown>,
  log: (line: string) => void,
): Promise<string | null> {
  const list = await api.request("GET", path);
  const items = (list.body as { data?: Named[] } | null)?.data ?? [];
  const found = items.find((i) => i.name === body.name);
  if (found) return found.id;
  const r = await api.request("POST", path, body);
  if (r.status !== 201 && r.status !== 200) {
    log(`alert-service: POST ${path} "${body.name}" answered ${r.status}: ${JSON.stringify(r.body)}`);
    return null;
  }
  return (r.body as Named).id;
}

export async function seedAlerts(input: AlertSeedInput): Promise<"seeded" | "absent" | "failed"> {
  const { api, log } = input;
  if (!(await answers(input.alertUrl))) {
    log(`alert-service: nothing answers ${input.alertUrl}/ready; no alert channels seeded`);
    return "absent";
  }
  try {
    const base = "/alerts";
    const webhook = await ensureNamed(
      api,
      `${base}/channels`,
      {
        name: "Demo webhook receiver",
        type: "WEBHOOK",
        config: { url: input.webhookUrl, secret: input.webhookSecret },
      },
      log,
    );
    const email = await ensureNamed(
      api,
      `${base}/channels`,
      { name: "Demo on-call e-mail", type: "EMAIL", config: { to: [input.emailTo] } },
      log,
    );
    const channelIds = [webhook, email].filter((id): id is string => id !== null);
    if (channelIds.length === 0) return "failed";
    const policy = await ensureNamed(
      api,
      `${base}/policies`,
      { name: "Demo: every integration", integrations: { scope: "all" }, channelIds, notifyOnResolve: true },
      log,
    );
    return policy ? "seeded" : "failed";
  } catch (err) {
    log(`alert-service: seeding failed: ${err instanceof Error ? err.message : String(err)}`);
    return "failed";
  }
}
