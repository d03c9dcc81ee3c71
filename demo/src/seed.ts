import { type IntegrationView, SECRET_FIELDS } from "@hip/contracts";
import type { DemoIntegration, DemoIntegrationBody } from "./catalog.ts";

export interface ApiClient {
  request: (method: string, path: string, body?: unknown) => Promise<{ status: number; body: unknown }>;
}

/** A small REST client for `/api/integration/*` with a bearer token (the same API the dashboard and admins use). */
export function apiClient(baseUrl: string, token: string, timeoutMs = 45_000): ApiClient {
  return {
    async request(method, path, body) {
      const res = await fetch(`${baseUrl.replace(/\/$/, "")}/api/integration${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text for the error message
      }
      return { status: res.status, body: parsed };
    },
  };
}

function describeError(r: { status: number; body: unknown }): string {
  const err = (r.body as { error?: { message?: string; details?: unknown } } | null)?.error;
  return `HTTP ${r.status}${err?.message ? `: ${err.message}` : ""}${err?.details ? ` ${JSON.stringify(err.details)}` : ""}`;
}

/** Every integration of the token's tenant (all pages). */
export async function listIntegrations(api: ApiClient): Promise<IntegrationView[]> {
  const out: IntegrationView[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
    const r = await api.request("GET", `/configs?limit=200&sort=name&order=asc${q}`);
    if (r.status !== 200) throw new Error(`listing integrations failed: ${describeError(r)}`);
    const page = r.body as { data: IntegrationView[]; nextCursor: string | null };
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Non-secret fields a demo body may set, compared with the stored view to decide whether to PATCH. */
const PLAIN_FIELDS = [
  "type",
  "provider",
  "description",
  "endpoint",
  "webhookUrl",
  "authType",
  "username",
  "tokenUrl",
  "clientId",
  "scope",
  "config",
  "timeout",
  "retryAttempts",
  "healthCheck",
  "failureThreshold",
] as const;

/** JSON with sorted keys: `{a,b}` equals `{b,a}`. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === "object" && !Array.isArray(val)
      ? Object.fromEntries(
          Object.entries(val as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : val,
  );
}

/**
 * The PATCH that brings `current` to `desired`, or null when nothing differs. Secrets are sent only when none is
 * stored or the stored mask's last four characters differ: re-sending an unchanged secret would still count as a
 * change (new ciphertext, new version), and the demo must be re-runnable without touching anything.
 */
export function patchFor(
  current: IntegrationView,
  desired: DemoIntegrationBody,
): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const field of PLAIN_FIELDS) {
    const want = desired[field];
    if (want === undefined) continue;
    if (canonical(want) !== canonical(current[field])) patch[field] = want;
  }
  for (const field of SECRET_FIELDS) {
    const want = desired[field];
    if (want === undefined) continue;
    const mask = current[field];
    const tail = mask ? /^\*+(.{4})$/.exec(mask)?.[1] : undefined;
    if (!current.credentialsSet[field] || (tail !== undefined && tail !== want.slice(-4)))
      patch[field] = want;
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

export interface SeedResult {
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Name -> id of every demo integration. */
  ids: Record<string, string>;
}

/**
 * Makes the tenant hold the demo integrations, through the public REST API: creates missing ones (by name; names
 * are unique per tenant), patches drifted ones (e.g. another simulator port), leaves the rest alone. Status is set
 * on create only, so an admin's later enable/disable survives a re-run. Other integrations are never touched.
 */
export async function seedIntegrations(api: ApiClient, wanted: DemoIntegration[]): Promise<SeedResult> {
  const existing = new Map((await listIntegrations(api)).map((i) => [i.name.toLowerCase(), i]));
  const result: SeedResult = { created: [], updated: [], unchanged: [], ids: {} };
  for (const { body } of wanted) {
    const current = existing.get(body.name.toLowerCase());
    if (!current) {
      const r = await api.request("POST", "/configs", body);
      if (r.status !== 201) throw new Error(`creating "${body.name}" failed: ${describeError(r)}`);
      result.created.push(body.name);
      result.ids[body.name] = (r.body as IntegrationView).id;
      continue;
    }
    result.ids[body.name] = current.id;
    const patch = patchFor(current, body);
    if (!patch) {
      result.unchanged.push(body.name);
      continue;
    }
    const r = await api.request("PATCH", `/configs/${current.id}`, patch);
    if (r.status !== 200) throw new Error(`updating "${body.name}" failed: ${describeError(r)}`);
    result.updated.push(body.name);
  }
  return result;
}

/**
 * Runs one connection test of each enabled demo integration at once, so the dashboard has results right away
 * instead of after each one's first scheduled check (up to one interval later). Returns name -> outcome.
 */
export async function kickOffTests(
  api: ApiClient,
  wanted: DemoIntegration[],
  ids: Record<string, string>,
): Promise<Record<string, string>> {
  const enabled = wanted.filter((w) => w.expect !== "INACTIVE");
  const outcomes = await Promise.all(
    enabled.map(async ({ body }) => {
      const id = ids[body.name];
      if (!id) return [body.name, "not seeded"] as const;
      try {
        const r = await api.request("POST", `/configs/${id}/test`);
        const view = r.body as { status?: string; result?: { error?: { code?: string } | null } } | null;
        if (r.status === 202) return [body.name, "pending"] as const;
        if (r.status !== 200) return [body.name, describeError(r)] as const;
        const code = view?.result?.error?.code;
        return [body.name, `${view?.status ?? "?"}${code ? ` (${code})` : ""}`] as const;
      } catch (err) {
        return [body.name, err instanceof Error ? err.message : String(err)] as const;
      }
    }),
  );
  return Object.fromEntries(outcomes);
}
