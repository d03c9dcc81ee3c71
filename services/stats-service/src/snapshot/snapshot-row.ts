import type { SnapshotIncident } from "@hip/contracts";

/** One row of stats.status_snapshot as both the writer (applySnapshotBatch) and the reader (readSnapshotPage) select it. */
export interface SnapshotRow {
  integration_id: string;
  tenant_id: string;
  known: boolean;
  name: string | null;
  type: string | null;
  status: string | null;
  status_since: Date | null;
  sequence: number | null;
  snapshot_sequence: number | null;
  deleted: boolean;
  incident: SnapshotIncident | null;
  incident_sequence: number | null;
}

export const SNAPSHOT_COLUMNS = `integration_id, tenant_id, known, name, type, status, status_since, sequence,
  snapshot_sequence, deleted, incident, incident_sequence`;
