import type {
  ChannelList,
  ChannelTestResult,
  ChannelView,
  CreateChannelBody,
  CreatePolicyBody,
  IncidentDetail,
  IncidentList,
  IncidentState,
  IncidentView,
  PolicyList,
  PolicyView,
  TimelineEntry,
  UpdateChannelBody,
  UpdatePolicyBody,
} from "@hip/contracts";
import { apiRequest } from "./api.ts";

/** The alert service's REST API (`/api/integration/alerts`, proxied by the dashboard server). */
const ALERTS = "/alerts";
const opt = (signal?: AbortSignal) => (signal ? { signal } : {});
const seg = (id: string) => encodeURIComponent(id);

export interface IncidentQuery {
  state?: IncidentState | null;
  integrationId?: string | null;
  limit?: number;
  cursor?: string | null;
}

export async function listIncidents(q: IncidentQuery, signal?: AbortSignal): Promise<IncidentList> {
  const p = new URLSearchParams();
  if (q.state) p.set("state", q.state);
  if (q.integrationId) p.set("integrationId", q.integrationId);
  if (q.limit) p.set("limit", String(q.limit));
  if (q.cursor) p.set("cursor", q.cursor);
  const qs = p.toString();
  return (await apiRequest<IncidentList>(`${ALERTS}/incidents${qs ? `?${qs}` : ""}`, opt(signal))).data;
}

export async function getIncident(id: string, signal?: AbortSignal): Promise<IncidentDetail> {
  return (await apiRequest<IncidentDetail>(`${ALERTS}/incidents/${seg(id)}`, opt(signal))).data;
}

export async function ackIncident(id: string, note?: string): Promise<IncidentView> {
  const body = note?.trim() ? { note: note.trim() } : {};
  return (await apiRequest<IncidentView>(`${ALERTS}/incidents/${seg(id)}/ack`, { method: "POST", body }))
    .data;
}

export async function addIncidentNote(id: string, text: string): Promise<TimelineEntry> {
  return (
    await apiRequest<TimelineEntry>(`${ALERTS}/incidents/${seg(id)}/notes`, {
      method: "POST",
      body: { text: text.trim() },
    })
  ).data;
}

/**
 * Unresolved incidents by integration id, for the "open incident" badges. The API lists unresolved incidents
 * first, so pages are read until the first resolved one (at most `maxPages` pages of 200).
 */
export async function fetchUnresolvedIncidents(
  signal?: AbortSignal,
  maxPages = 5,
): Promise<Map<string, IncidentView>> {
  const out = new Map<string, IncidentView>();
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const list: IncidentList = await listIncidents({ limit: 200, cursor }, signal);
    for (const incident of list.data) {
      if (incident.state === "resolved") return out;
      if (!out.has(incident.integrationId)) out.set(incident.integrationId, incident);
    }
    cursor = list.nextCursor;
    if (!cursor) break;
  }
  return out;
}

export async function listChannels(signal?: AbortSignal): Promise<ChannelView[]> {
  return (await apiRequest<ChannelList>(`${ALERTS}/channels`, opt(signal))).data.data;
}

export async function createChannel(body: CreateChannelBody): Promise<ChannelView> {
  return (await apiRequest<ChannelView>(`${ALERTS}/channels`, { method: "POST", body })).data;
}

export async function updateChannel(id: string, body: UpdateChannelBody): Promise<ChannelView> {
  return (await apiRequest<ChannelView>(`${ALERTS}/channels/${seg(id)}`, { method: "PATCH", body })).data;
}

export async function deleteChannel(id: string): Promise<void> {
  await apiRequest<unknown>(`${ALERTS}/channels/${seg(id)}`, { method: "DELETE" });
}

export async function testChannel(id: string): Promise<ChannelTestResult> {
  return (
    await apiRequest<ChannelTestResult>(`${ALERTS}/channels/${seg(id)}/test`, { method: "POST", body: {} })
  ).data;
}

export async function listPolicies(signal?: AbortSignal): Promise<PolicyView[]> {
  return (await apiRequest<PolicyList>(`${ALERTS}/policies`, opt(signal))).data.data;
}

export async function createPolicy(body: CreatePolicyBody): Promise<PolicyView> {
  return (await apiRequest<PolicyView>(`${ALERTS}/policies`, { method: "POST", body })).data;
}

export async function updatePolicy(id: string, body: UpdatePolicyBody): Promise<PolicyView> {
  return (await apiRequest<PolicyView>(`${ALERTS}/policies/${seg(id)}`, { method: "PATCH", body })).data;
}

export async function deletePolicy(id: string): Promise<void> {
  await apiRequest<unknown>(`${ALERTS}/policies/${seg(id)}`, { method: "DELETE" });
}
