import { API_BASE_PATH, type StatusSnapshotItem, StatusSnapshotPage, type TopicNames } from "@hip/contracts";
import { StatusClientError } from "./errors.ts";

export type TokenSource = string | (() => string | Promise<string>);

export interface SnapshotResult {
  items: number;
  /** Per topic key, per partition: the smallest offset over all pages (see StatusSnapshotPage). */
  offsets: Record<"config" | "status" | "incident", Map<number, number>>;
  takenAt: string;
}

/**
 * Reads every page of `GET /stats/status-snapshot` and hands each row to `onItem`. Pages are read at different
 * moments; each page's rows are at least as new as its own offsets, so the element-wise minimum of the offsets is a
 * position every row is at least as new as: replaying from it (sequence-gated) leaves no gap.
 */
export async function readSnapshot(o: {
  statsUrl: string;
  token: TokenSource;
  tenantId: string | null;
  pageSize: number;
  topics: TopicNames;
  onItem: (item: StatusSnapshotItem) => void;
  fetchImpl?: typeof fetch;
}): Promise<SnapshotResult> {
  const doFetch = o.fetchImpl ?? fetch;
  const offsets: SnapshotResult["offsets"] = { config: new Map(), status: new Map(), incident: new Map() };
  let cursor: string | null = null;
  let items = 0;
  let takenAt = "";
  for (let first = true; first || cursor !== null; first = false) {
    const url = new URL(`${API_BASE_PATH}/stats/status-snapshot`, o.statsUrl);
    url.searchParams.set("limit", String(o.pageSize));
    if (cursor) url.searchParams.set("cursor", cursor);
    if (o.tenantId) url.searchParams.set("tenantId", o.tenantId);
    const res = await fetchPage(doFetch, url, o.token);
    const page = StatusSnapshotPage.parse(await res.json());
    if (first) takenAt = page.asOf.takenAt;
    for (const t of page.asOf.topics) {
      if (t.topic !== o.topics[t.key]) {
        throw new StatusClientError(
          "TOPIC_MISMATCH",
          `status snapshot reads ${t.topic} but this client follows ${o.topics[t.key]} (KAFKA_TOPIC_PREFIX differs)`,
        );
      }
      const seen = offsets[t.key];
      if (first) {
        for (const p of t.partitions) seen.set(p.partition, Number(p.offset));
      } else {
        // Partitions absent from a later page were not read then: keep the earlier (smaller) value.
        for (const p of t.partitions) {
          const prev = seen.get(p.partition);
          if (prev !== undefined) seen.set(p.partition, Math.min(prev, Number(p.offset)));
        }
      }
    }
    for (const item of page.data) {
      o.onItem(item);
      items++;
    }
    cursor = page.nextCursor;
  }
  return { items, offsets, takenAt };
}

/** Transient answers (rate limited, gateway, unavailable) and network errors are retried; anything else fails. */
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 6;

async function fetchPage(doFetch: typeof fetch, url: URL, tokenSource: TokenSource): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    const token = typeof tokenSource === "function" ? await tokenSource() : tokenSource;
    let res: Response | null = null;
    let error: unknown = null;
    try {
      res = await doFetch(url, { headers: { authorization: `Bearer ${token}` } });
    } catch (err) {
      error = err;
    }
    if (res?.status === 200) return res;
    const retryable = res === null || RETRYABLE.has(res.status);
    if (!retryable || attempt >= MAX_ATTEMPTS) {
      if (res === null) {
        throw new StatusClientError("SNAPSHOT_UNREACHABLE", `status snapshot: ${url.origin} unreachable`, {
          cause: error,
        });
      }
      const body = await res.text().catch(() => "");
      throw new StatusClientError(
        "SNAPSHOT_FAILED",
        `status snapshot: HTTP ${res.status} ${body.slice(0, 300)}`.trim(),
      );
    }
    await res?.body?.cancel().catch(() => undefined);
    // Retry-After (seconds) when the server gives one, else capped exponential backoff from 200 ms.
    const after = Number(res?.headers.get("retry-after"));
    const waitMs =
      Number.isFinite(after) && after >= 0 ? after * 1000 : Math.min(200 * 2 ** (attempt - 1), 5000);
    await new Promise((r) => setTimeout(r, waitMs));
  }
}
