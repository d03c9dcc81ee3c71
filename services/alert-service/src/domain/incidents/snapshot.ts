import type {
  IncidentKind,
  IncidentSnapshot,
  IncidentState,
  IncidentView,
  IntegrationType,
  ResolveReason,
  TimelineKind,
} from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import { type IncidentRow, timeline } from "../../db/schema.ts";

export function toSnapshot(row: IncidentRow): IncidentSnapshot {
  return {
    id: row.id,
    tenantId: row.tenantId,
    integrationId: row.integrationId,
    integrationName: row.integrationName,
    integrationType: (row.integrationType as IntegrationType | null) ?? null,
    state: row.state as IncidentState,
    openedAt: row.openedAt.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: row.acknowledgedBy,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    resolveReason: (row.resolveReason as ResolveReason | null) ?? null,
    error: row.error ?? null,
    flapping: row.flapping ?? null,
    maintenance: row.maintenance ?? null,
    kind: (row.kind as IncidentKind | undefined) ?? "STATUS",
    anomaly: row.anomaly ?? null,
    parentIncidentId: row.parentIncidentId ?? null,
    suppressedBy: row.suppressed ? (row.parentIncidentId ?? null) : null,
    childCount: row.childCount ?? 0,
    children: row.children ?? [],
  };
}

export function toView(row: IncidentRow, now = new Date()): IncidentView {
  const end = row.resolvedAt ?? now;
  return { ...toSnapshot(row), durationMs: Math.max(0, end.getTime() - row.openedAt.getTime()) };
}

export async function appendTimeline(
  tx: Tx,
  entry: {
    tenantId: string;
    incidentId: string;
    kind: TimelineKind;
    actor: string;
    data: Record<string, unknown>;
    at?: Date;
  },
): Promise<void> {
  await tx.insert(timeline).values({ ...entry, at: entry.at ?? new Date() });
}
