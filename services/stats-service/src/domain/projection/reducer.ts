import type { AnyEvent, IntegrationProbeCompleted, IntegrationStatus, IntegrationType } from "@hip/contracts";

/** In-memory image of one `stats.integrations` row while a batch is applied under its row lock. */
export interface IntegrationRow {
  integrationId: string;
  tenantId: string;
  known: boolean;
  name: string;
  type: IntegrationType;
  provider: string | null;
  status: IntegrationStatus;
  statusSince: string | null;
  deletedAt: string | null;
  lastCheckAt: string | null;
  lastCheckSuccess: boolean | null;
  lastLatencyMs: number | null;
  lastSuccessAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
}

export interface AppliedSequences {
  sequence: number;
  snapshotSequence: number | null;
  statusSequence: number | null;
}

export type ConfigStateEvent = Extract<
  AnyEvent,
  {
    type:
      | "integration.created"
      | "integration.updated"
      | "integration.deleted"
      | "integration.status_changed";
  }
>;

export function isConfigState(e: AnyEvent): e is ConfigStateEvent {
  return (
    e.type === "integration.created" ||
    e.type === "integration.updated" ||
    e.type === "integration.deleted" ||
    e.type === "integration.status_changed"
  );
}

export function blankRow(integrationId: string, tenantId: string, type: IntegrationType): IntegrationRow {
  return {
    integrationId,
    tenantId,
    known: false,
    name: "",
    type,
    provider: null,
    status: "INACTIVE",
    statusSince: null,
    deletedAt: null,
    lastCheckAt: null,
    lastCheckSuccess: null,
    lastLatencyMs: null,
    lastSuccessAt: null,
    lastErrorAt: null,
    lastError: null,
  };
}

/** Whether the row contributes to the per-tenant counts. */
export function isCounted(row: IntegrationRow): boolean {
  return row.known && row.deletedAt === null;
}

const iso = (t: string) => new Date(t).toISOString();
const later = (a: string, b: string | null) => b === null || Date.parse(a) > Date.parse(b);

/**
 * Applies one config-state event if its sequence is above what was applied from its source. Snapshot fields and
 * status are gated separately (see applied_sequences) so the final state does not depend on delivery order.
 */
export function applyConfigState(row: IntegrationRow, seq: AppliedSequences, e: ConfigStateEvent): boolean {
  const s = e.sequence;
  const time = iso(e.time);
  let changed = false;
  const snapshotFresh = seq.snapshotSequence === null || s > seq.snapshotSequence;
  const statusFresh = seq.statusSequence === null || s > seq.statusSequence;
  switch (e.type) {
    case "integration.created":
    case "integration.updated": {
      const snap = e.data.integration;
      if (snapshotFresh) {
        row.tenantId = snap.tenantId;
        row.known = true;
        row.name = snap.name;
        row.type = snap.type;
        row.provider = snap.provider;
        seq.snapshotSequence = s;
        changed = true;
      }
      if (statusFresh) {
        const asserted =
          e.type === "integration.created" ||
          e.data.changedFields.includes("status") ||
          snap.status !== row.status ||
          row.statusSince === null;
        if (asserted) row.statusSince = time;
        row.status = snap.status;
        seq.statusSequence = s;
        changed = true;
      }
      break;
    }
    case "integration.deleted":
      if (snapshotFresh) {
        row.deletedAt = time;
        row.name = e.data.name;
        row.type = e.data.integrationType;
        seq.snapshotSequence = s;
        changed = true;
      }
      break;
    case "integration.status_changed":
      if (statusFresh) {
        row.status = e.data.to;
        row.statusSince = time;
        seq.statusSequence = s;
        changed = true;
      }
      break;
  }
  if (changed) seq.sequence = Math.max(seq.sequence, s);
  return changed;
}

/** Folds one probe result into the current view. Order-independent: every field keeps the newest check. */
export function applyProbe(row: IntegrationRow, e: IntegrationProbeCompleted): void {
  const r = e.data;
  const at = iso(r.checkedAt);
  if (later(at, row.lastCheckAt)) {
    row.lastCheckAt = at;
    row.lastCheckSuccess = r.success;
    row.lastLatencyMs = r.latencyMs;
  }
  if (r.success) {
    if (later(at, row.lastSuccessAt)) row.lastSuccessAt = at;
  } else if (later(at, row.lastErrorAt)) {
    row.lastErrorAt = at;
    row.lastError = r.error ? `${r.error.code}: ${r.error.message}` : "check failed";
  }
}
