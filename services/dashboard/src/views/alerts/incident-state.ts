import type { IncidentState } from "@hip/contracts";

export const INCIDENT_STATES = [
  "open",
  "acknowledged",
  "resolved",
] as const satisfies readonly IncidentState[];

export const INCIDENT_STATE_LABELS: Record<IncidentState, string> = {
  open: "Open",
  acknowledged: "Acknowledged",
  resolved: "Resolved",
};

export interface IncidentListState {
  state: IncidentState | null;
  integrationId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Filters live in the URL like the integration list's (shareable, survive reload and back). */
export function incidentStateFromSearch(search: string): IncidentListState {
  const p = new URLSearchParams(search);
  const state = p.get("state");
  const integrationId = p.get("integrationId");
  return {
    state: INCIDENT_STATES.find((s) => s === state) ?? null,
    integrationId: integrationId && UUID.test(integrationId) ? integrationId : null,
  };
}

export function incidentStateToSearch(s: IncidentListState): string {
  const p = new URLSearchParams();
  if (s.state) p.set("state", s.state);
  if (s.integrationId) p.set("integrationId", s.integrationId);
  const str = p.toString();
  return str ? `?${str}` : "";
}
