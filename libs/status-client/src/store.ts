import {
  type AnyEvent,
  applyStatusEvent,
  blankStatusState,
  IntegrationStatus,
  IntegrationType,
  STATUS_STATE_EVENT_TYPES,
  type StatusSnapshotItem,
  type StatusState,
} from "@hip/contracts";
import { type IntegrationHealth, isAvailableState, isVisible, toHealth } from "./health.ts";

/** Strings repeated across integrations are stored once (memory per integration is what the bench measures). */
const CONSTANTS = new Map<string, string>(
  [...IntegrationStatus.options, ...IntegrationType.options].map((s) => [s, s]),
);

export interface AppliedChange {
  integrationId: string;
  before: IntegrationHealth | undefined;
  after: IntegrationHealth | undefined;
}

/**
 * The in-memory status of every integration in scope, keyed by integration id. Events outside the scope (another
 * tenant's, for a tenant-bound client) are dropped before anything is stored. Folding is `applyStatusEvent`, the
 * same sequence-gated rule as the server's snapshot, so snapshot + replayed events converge in any order.
 */
export class StatusStore {
  private readonly states = new Map<string, StatusState>();
  private readonly tenants = new Map<string, string>();
  private readonly tenantId: string | null;

  constructor(tenantId: string | null) {
    this.tenantId = tenantId;
  }

  inScope(tenantId: string): boolean {
    return this.tenantId === null || this.tenantId === tenantId;
  }

  /** Number of integrations exposed (known, not deleted). */
  get size(): number {
    let n = 0;
    for (const s of this.states.values()) if (isVisible(s)) n++;
    return n;
  }

  /** Rows held, including placeholders and tombstones (memory accounting). */
  get held(): number {
    return this.states.size;
  }

  get(id: string): IntegrationHealth | undefined {
    const s = this.states.get(id);
    return s && isVisible(s) ? toHealth(id, s) : undefined;
  }

  /** Same rule as `get(id)?.available`, without building the view (hot path of guards and checks). */
  isAvailable(id: string): boolean {
    const s = this.states.get(id);
    return s !== undefined && isAvailableState(s);
  }

  *list(): IterableIterator<IntegrationHealth> {
    for (const [id, s] of this.states) if (isVisible(s)) yield toHealth(id, s);
  }

  /** A snapshot row. Returns false when it is out of scope. */
  loadSnapshotItem(i: StatusSnapshotItem): boolean {
    if (!this.inScope(i.tenantId)) return false;
    const s = blankStatusState(this.intern(i.tenantId));
    s.known = i.known;
    s.name = i.name;
    s.type = i.type === null ? null : (CONSTANTS.get(i.type) as IntegrationType);
    s.status = i.status === null ? null : (CONSTANTS.get(i.status) as IntegrationStatus);
    s.statusSince = i.statusSince;
    s.sequence = i.sequence;
    s.snapshotSequence = i.snapshotSequence;
    s.deleted = i.deleted;
    s.incident = i.incident;
    s.incidentSequence = i.incidentSequence;
    this.states.set(i.integrationId, s);
    return true;
  }

  /** Applies one event; returns the visible change, or null when nothing visible changed. */
  apply(e: AnyEvent): AppliedChange | null {
    if (!STATUS_STATE_EVENT_TYPES.has(e.type) || !this.inScope(e.tenantid)) return null;
    let s = this.states.get(e.subject);
    const before = s && isVisible(s) ? toHealth(e.subject, s) : undefined;
    if (!s) s = blankStatusState(this.intern(e.tenantid));
    if (!applyStatusEvent(s, e)) return null;
    if (s.type !== null) s.type = (CONSTANTS.get(s.type) as IntegrationType | undefined) ?? s.type;
    if (s.status !== null) s.status = (CONSTANTS.get(s.status) as IntegrationStatus | undefined) ?? s.status;
    this.states.set(e.subject, s);
    const after = isVisible(s) ? toHealth(e.subject, s) : undefined;
    if (before === undefined && after === undefined) return null;
    return { integrationId: e.subject, before, after };
  }

  private intern(tenantId: string): string {
    const known = this.tenants.get(tenantId);
    if (known !== undefined) return known;
    this.tenants.set(tenantId, tenantId);
    return tenantId;
  }
}
