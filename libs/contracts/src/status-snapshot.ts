import { z } from "zod";
import { IntegrationStatus, IntegrationType } from "./enums.ts";
import type { AnyEvent } from "./events.ts";
import { IncidentState } from "./incident.ts";

/**
 * Current status of every integration, for clients that bootstrap and then follow the topics
 * (`@hip/status-client`). Served by stats-service `GET /api/integration/stats/status-snapshot`. The same fold
 * (`applyStatusEvent`) runs on the server's snapshot projection and in every client, so a snapshot plus the events
 * after its offsets converge to the same state in any delivery order.
 */

/** An unresolved incident (open or acknowledged). Resolved incidents are not carried. */
export const SnapshotIncident = z.object({
  id: z.uuid(),
  state: IncidentState.exclude(["resolved"]),
  openedAt: z.iso.datetime(),
  acknowledgedAt: z.iso.datetime().nullable(),
  /** The failing probe's error code, when the incident recorded one. */
  errorCode: z.string().nullable(),
});
export type SnapshotIncident = z.infer<typeof SnapshotIncident>;

export const StatusSnapshotItem = z.object({
  integrationId: z.uuid(),
  tenantId: z.string(),
  /** A created/updated snapshot was applied. Unknown rows (status or incident seen first) must be kept too. */
  known: z.boolean(),
  name: z.string().nullable(),
  type: IntegrationType.nullable(),
  status: IntegrationStatus.nullable(),
  statusSince: z.iso.datetime().nullable(),
  /** Config-service `sequence` of the event that set `status` (created, updated, status_changed). */
  sequence: z.number().int().nullable(),
  /** Config-service `sequence` of the last snapshot (name, type) or deletion applied. */
  snapshotSequence: z.number().int().nullable(),
  /** Tombstone: deleted integrations stay listed so an older event replayed after the snapshot changes nothing. */
  deleted: z.boolean(),
  incident: SnapshotIncident.nullable(),
  /** Alert-service `sequence` of the last incident event applied. */
  incidentSequence: z.number().int().nullable(),
});
export type StatusSnapshotItem = z.infer<typeof StatusSnapshotItem>;

export const TopicPosition = z.object({
  partition: z.number().int().nonnegative(),
  /** Next offset to read: every event before it on this partition is reflected in the snapshot. */
  offset: z.string().regex(/^[0-9]+$/),
});
export type TopicPosition = z.infer<typeof TopicPosition>;

export const SnapshotTopic = z.object({
  /** Which topic (the name follows KAFKA_TOPIC_PREFIX). */
  key: z.enum(["config", "status", "incident"]),
  topic: z.string(),
  /** Partitions the snapshot has read; a partition not listed was never read: start it at its earliest offset. */
  partitions: z.array(TopicPosition),
});
export type SnapshotTopic = z.infer<typeof SnapshotTopic>;

export const StatusSnapshotQuery = z.object({
  /** `nextCursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^[0-9a-f-]{36}$/, "cursor must be a nextCursor returned by this endpoint")
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
  /** Service tokens only: restrict to one tenant (without it a service token reads every tenant). */
  tenantId: z.string().min(1).max(100).optional(),
});
export type StatusSnapshotQuery = z.infer<typeof StatusSnapshotQuery>;

/**
 * One page. `asOf.topics` are read BEFORE the page's rows (in the same transaction): each page's rows are at least
 * as new as its offsets. A client that pages takes, per partition, the smallest offset over all pages, replays
 * from there and applies events by sequence; older events then change nothing and newer ones are never skipped.
 */
export const StatusSnapshotPage = z.object({
  data: z.array(StatusSnapshotItem),
  nextCursor: z.string().nullable(),
  asOf: z.object({ takenAt: z.iso.datetime(), topics: z.array(SnapshotTopic) }),
});
export type StatusSnapshotPage = z.infer<typeof StatusSnapshotPage>;

/** The state `applyStatusEvent` folds into; the snapshot item minus ids is exactly this. */
export interface StatusState {
  tenantId: string;
  known: boolean;
  name: string | null;
  type: IntegrationType | null;
  status: IntegrationStatus | null;
  statusSince: string | null;
  sequence: number | null;
  snapshotSequence: number | null;
  deleted: boolean;
  incident: SnapshotIncident | null;
  incidentSequence: number | null;
}

export function blankStatusState(tenantId: string): StatusState {
  return {
    tenantId,
    known: false,
    name: null,
    type: null,
    status: null,
    statusSince: null,
    sequence: null,
    snapshotSequence: null,
    deleted: false,
    incident: null,
    incidentSequence: null,
  };
}

/** Event types that change a StatusState; everything else (probe results, test requests) is ignored. */
export const STATUS_STATE_EVENT_TYPES = new Set<AnyEvent["type"]>([
  "integration.created",
  "integration.updated",
  "integration.deleted",
  "integration.status_changed",
  "incident.opened",
  "incident.acknowledged",
  "incident.resolved",
  "incident.notification_failed",
]);

const above = (s: number, prev: number | null) => prev === null || s > prev;

/**
 * Folds one event into `st` (mutated) and says whether anything changed. Gates, each per integration:
 * - status: config-service `sequence` of created / updated / status_changed;
 * - snapshot (name, type, deletion): config-service `sequence` of created / updated / deleted. Kept apart from the
 *   status gate because status_changed travels on the status topic and snapshots on the config topic;
 * - incident: alert-service `sequence` of incident.*.
 * An event at or below its gate changes nothing: duplicates and out-of-order deliveries are no-ops.
 */
export function applyStatusEvent(st: StatusState, e: AnyEvent): boolean {
  const s = e.sequence;
  switch (e.type) {
    case "integration.created":
    case "integration.updated": {
      const snap = e.data.integration;
      let changed = false;
      if (above(s, st.snapshotSequence)) {
        st.known = true;
        st.name = snap.name;
        st.type = snap.type;
        st.snapshotSequence = s;
        changed = true;
      }
      if (above(s, st.sequence)) {
        const asserted =
          e.type === "integration.created" ||
          e.data.changedFields.includes("status") ||
          st.status !== snap.status ||
          st.statusSince === null;
        if (asserted) st.statusSince = iso(e.time);
        st.status = snap.status;
        st.sequence = s;
        changed = true;
      }
      return changed;
    }
    case "integration.deleted":
      if (!above(s, st.snapshotSequence)) return false;
      st.deleted = true;
      st.known = true;
      st.name = e.data.name;
      st.type = e.data.integrationType;
      st.snapshotSequence = s;
      return true;
    case "integration.status_changed":
      if (!above(s, st.sequence)) return false;
      // A transition always restarts the clock, whatever an older snapshot said in between.
      st.statusSince = iso(e.time);
      st.status = e.data.to;
      st.sequence = s;
      return true;
    case "incident.opened":
    case "incident.acknowledged":
    case "incident.resolved":
    case "incident.notification_failed": {
      if (!above(s, st.incidentSequence)) return false;
      const i = e.data.incident;
      // The snapshot carries the status incident only; traffic-anomaly incidents (issue 14) live next to it and
      // must not replace or clear it. Their sequences are skipped, the gate stays where the last status one left it.
      if (i.kind !== "STATUS") return false;
      st.incident =
        i.state === "resolved"
          ? null
          : {
              id: i.id,
              state: i.state,
              openedAt: iso(i.openedAt),
              acknowledgedAt: i.acknowledgedAt === null ? null : iso(i.acknowledgedAt),
              errorCode: i.error?.code ?? null,
            };
      st.incidentSequence = s;
      return true;
    }
    default:
      return false;
  }
}

const iso = (t: string) => new Date(t).toISOString();
