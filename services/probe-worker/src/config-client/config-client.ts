import { CONNECTION_SPEC_BATCH_MAX, ConnectionSpec, ConnectionSpecBatch, ScheduleList } from "@hip/contracts";
import type { ServiceTokenProvider } from "./service-token.ts";

/** A config-service call that failed for a reason other than "not found"; jobs retry these. */
export class ConfigServiceError extends Error {
  override name = "ConfigServiceError";
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
  }
}

export interface ConfigClientOptions {
  baseUrl: string;
  token: ServiceTokenProvider;
  timeoutMs?: number;
}

/**
 * Client of the config service's internal endpoints. Response bodies are parsed with the shared zod schemas;
 * errors never carry a body (a connection spec holds decrypted secrets and must never reach a log).
 */
export class ConfigClient {
  private readonly baseUrl: string;
  private readonly token: ServiceTokenProvider;
  private readonly timeoutMs: number;

  constructor(opts: ConfigClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
    this.token = opts.token;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** The decrypted spec, or null when the integration no longer exists (404). */
  async getConnectionSpec(integrationId: string): Promise<ConnectionSpec | null> {
    const res = await this.get(`/internal/integrations/${encodeURIComponent(integrationId)}/connection-spec`);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body = await this.json(res, "connection spec");
    const parsed = ConnectionSpec.safeParse(body);
    if (!parsed.success) throw new ConfigServiceError("connection spec did not match its schema", res.status);
    return parsed.data;
  }

  /**
   * Up to CONNECTION_SPEC_BATCH_MAX specs in one call; missing ids map to null. Null as a whole when the config
   * service predates the batch endpoint (404 on the route), so the caller falls back to single fetches.
   */
  async getConnectionSpecs(ids: string[]): Promise<Map<string, ConnectionSpec | null> | null> {
    const res = await this.request("/internal/integrations/connection-specs", {
      method: "POST",
      body: JSON.stringify({ ids: ids.slice(0, CONNECTION_SPEC_BATCH_MAX) }),
    });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    const body = await this.json(res, "connection spec batch");
    const parsed = ConnectionSpecBatch.safeParse(body);
    if (!parsed.success)
      throw new ConfigServiceError("connection spec batch did not match its schema", res.status);
    const out = new Map<string, ConnectionSpec | null>();
    for (const spec of parsed.data.data) out.set(spec.id, spec);
    for (const id of parsed.data.missing) out.set(id, null);
    return out;
  }

  async listSchedules(cursor: string | null, limit: number): Promise<ScheduleList> {
    const qs = new URLSearchParams({ limit: String(limit) });
    if (cursor) qs.set("cursor", cursor);
    const res = await this.get(`/internal/integrations/schedules?${qs.toString()}`);
    const body = await this.json(res, "schedule list");
    const parsed = ScheduleList.safeParse(body);
    if (!parsed.success) throw new ConfigServiceError("schedule list did not match its schema", res.status);
    return parsed.data;
  }

  private get(path: string): Promise<Response> {
    return this.request(path, { method: "GET" });
  }

  private async request(path: string, init: { method: "GET" | "POST"; body?: string }): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method: init.method,
        headers: {
          authorization: `Bearer ${this.token()}`,
          accept: "application/json",
          ...(init.body ? { "content-type": "application/json" } : {}),
        },
        ...(init.body ? { body: init.body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : "request failed";
      throw new ConfigServiceError(`config service unreachable: ${why}`, null);
    }
  }

  private async json(res: Response, what: string): Promise<unknown> {
    if (!res.ok) {
      await res.body?.cancel();
      throw new ConfigServiceError(`config service answered ${res.status} for the ${what}`, res.status);
    }
    try {
      return await res.json();
    } catch {
      throw new ConfigServiceError(`config service sent an unreadable ${what}`, res.status);
    }
  }
}
