import type { IntegrationStatus, IntegrationType, SnapshotIncident, StatusState } from "@hip/contracts";

/** What `get(id)` answers: the platform's current view of one integration. */
export interface IntegrationHealth {
  integrationId: string;
  tenantId: string;
  name: string | null;
  type: IntegrationType | null;
  /** null when only an incident was seen so far (no status event yet). */
  status: IntegrationStatus | null;
  statusSince: string | null;
  /** Config-service `sequence` of the status shown. */
  sequence: number | null;
  /** Unresolved incident (open or acknowledged), else null. */
  incident: SnapshotIncident | null;
  /** Not ERROR and no unresolved incident (see isAvailableState). */
  available: boolean;
}

/**
 * The one availability rule: a known, not deleted integration that is not ERROR and has no unresolved incident.
 * ACTIVE, TESTING and INACTIVE count as available: the platform has no evidence that the peer is down (INACTIVE
 * integrations are not checked at all).
 */
export function isAvailableState(s: StatusState): boolean {
  return s.known && !s.deleted && s.status !== "ERROR" && s.incident === null;
}

/** Only known, live integrations are exposed: placeholders (status seen before the config) and tombstones are not. */
export function isVisible(s: StatusState): boolean {
  return s.known && !s.deleted;
}

export function toHealth(integrationId: string, s: StatusState): IntegrationHealth {
  return {
    integrationId,
    tenantId: s.tenantId,
    name: s.name,
    type: s.type,
    status: s.status,
    statusSince: s.statusSince,
    sequence: s.sequence,
    incident: s.incident,
    available: isAvailableState(s),
  };
}
