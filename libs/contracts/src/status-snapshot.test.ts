import { describe, expect, it } from "vitest";
import { cloudEvent, EVENT_SOURCES, type IncidentEvent } from "./events.ts";
import type { IncidentKind } from "./incident.ts";
import { applyStatusEvent, blankStatusState } from "./status-snapshot.ts";

const integrationId = "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03";
const incident = (seq: number, id: string, kind: IncidentKind, state: "open" | "resolved"): IncidentEvent =>
  cloudEvent({
    id: `00000000-0000-4000-8000-00000000000${seq}`,
    type: state === "open" ? "incident.opened" : "incident.resolved",
    source: EVENT_SOURCES.alertService,
    subject: integrationId,
    tenantId: "t1",
    sequence: seq,
    data: {
      incident: {
        id,
        tenantId: "t1",
        integrationId,
        integrationName: "ADT",
        integrationType: "HL7",
        state,
        openedAt: "2026-01-01T10:00:00.000Z",
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: state === "resolved" ? "2026-01-01T10:30:00.000Z" : null,
        resolveReason: state === "resolved" ? "recovered" : null,
        error: { code: kind === "STATUS" ? "CONNECTION_REFUSED" : kind, stage: null, message: "x" },
        kind,
        anomaly: null,
      },
      causationId: "00000000-0000-4000-8000-0000000000aa",
    },
  }) as IncidentEvent;

describe("status snapshot fold and traffic incidents", () => {
  it("keeps the status incident when a traffic incident of the same integration opens and resolves", () => {
    const st = blankStatusState("t1");
    const statusId = "4f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e05";
    const trafficId = "4f2f5a52-7a0e-4c55-8f43-7c0d4b8b9e06";
    expect(applyStatusEvent(st, incident(1, statusId, "STATUS", "open"))).toBe(true);
    expect(applyStatusEvent(st, incident(2, trafficId, "SILENT_FEED", "open"))).toBe(false);
    expect(applyStatusEvent(st, incident(3, trafficId, "SILENT_FEED", "resolved"))).toBe(false);
    expect(st.incident?.id).toBe(statusId);
    expect(applyStatusEvent(st, incident(4, statusId, "STATUS", "resolved"))).toBe(true);
    expect(st.incident).toBeNull();
  });
});
