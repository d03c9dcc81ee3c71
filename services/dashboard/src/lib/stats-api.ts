import type {
  IntegrationCurrentView,
  IntegrationCurrentViewList,
  IntegrationList,
  IntegrationStats,
  ListIntegrationsQuery,
  StatsSummary,
  Timeseries,
  TimeseriesBucket,
  TrafficBucket,
  TrafficSeries,
} from "@hip/contracts";
import { apiRequest } from "./api.ts";

export async function fetchSummary(signal: AbortSignal): Promise<StatsSummary> {
  return (await apiRequest<StatsSummary>("/stats", { signal })).data;
}

export async function fetchTimeseries(
  params: { hours: number; bucket: TimeseriesBucket; integrationId?: string },
  signal: AbortSignal,
): Promise<Timeseries> {
  const to = new Date();
  const from = new Date(to.getTime() - params.hours * 3600_000);
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), bucket: params.bucket });
  if (params.integrationId) q.set("integrationId", params.integrationId);
  return (await apiRequest<Timeseries>(`/stats/timeseries?${q}`, { signal })).data;
}

/** Message traffic of one integration (passive health) with its open anomalies. */
export async function fetchTraffic(
  params: { id: string; hours: number; bucket: TrafficBucket },
  signal: AbortSignal,
): Promise<TrafficSeries> {
  const to = new Date();
  const from = new Date(to.getTime() - params.hours * 3600_000);
  const q = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), bucket: params.bucket });
  return (
    await apiRequest<TrafficSeries>(`/stats/integrations/${encodeURIComponent(params.id)}/traffic?${q}`, {
      signal,
    })
  ).data;
}

export async function fetchIntegrationStats(id: string, signal: AbortSignal): Promise<IntegrationStats> {
  return (await apiRequest<IntegrationStats>(`/stats/integrations/${encodeURIComponent(id)}`, { signal }))
    .data;
}

/** Batch read of last check / latency / uptime for the rows on screen. A stats outage leaves the cells empty. */
export async function fetchCurrentViews(
  ids: string[],
  signal: AbortSignal,
): Promise<Map<string, IntegrationCurrentView>> {
  const out = new Map<string, IntegrationCurrentView>();
  if (ids.length === 0) return out;
  const q = new URLSearchParams({ ids: ids.join(",") });
  const res = await apiRequest<IntegrationCurrentViewList>(`/stats/integrations?${q}`, { signal });
  for (const row of res.data.data) out.set(row.integrationId, row);
  return out;
}

export type ListParams = Partial<
  Pick<ListIntegrationsQuery, "type" | "status" | "q" | "sort" | "order" | "cursor" | "limit" | "provider">
>;

export async function fetchIntegrations(params: ListParams, signal: AbortSignal): Promise<IntegrationList> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  return (await apiRequest<IntegrationList>(`/configs?${q}`, { signal })).data;
}
