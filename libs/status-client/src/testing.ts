import { randomUUID } from "node:crypto";
import {
  type AnyEvent,
  cloudEvent,
  EVENT_SOURCES,
  type IncidentState,
  type IntegrationStatus,
  type IntegrationType,
} from "@hip/contracts";

/**
 * Event builders for tests and benchmarks of status consumers (`@hip/status-client/testing`). They build the
 * exact CloudEvents the platform publishes, with the sources and sequences of the real producers.
 */
export interface IntegrationSpec {
  id: string;
  tenantId: string;
  name: string;
  type: IntegrationType;
  status: IntegrationStatus;
}

export function spec(tenantId: string, name: string, over: Partial<IntegrationSpec> = {}): IntegrationSpec {
  return { id: randomUUID(), tenantId, name, type: "LAB_SYSTEM", status: "ACTIVE", ...over };
}

function snapshot(s: IntegrationSpec, version: number, at: Date) {
  return {
    id: s.id,
    tenantId: s.tenantId,
    name: s.name,
    type: s.type,
    provider: null,
    description: null,
    endpoint: "https://lis.example.test/health",
    webhookUrl: null,
    authType: "NONE" as const,
    status: s.status,
    timeout: 5000,
    retryAttempts: 0,
    healthCheck: { enabled: true, intervalSeconds: 60 },
    failureThreshold: 3,
    recoveryThreshold: 1,
    failureWindow: null,
    credentialsExpireAt: null,
    dependsOn: [],
    credentialsSet: {},
    headerNames: [],
    version,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
}

const config = EVENT_SOURCES.configService;
const base = (s: IntegrationSpec, seq: number, at: Date, source: string = config) => ({
  id: randomUUID(),
  source,
  subject: s.id,
  tenantId: s.tenantId,
  sequence: seq,
  time: at,
});

export const events = {
  created(s: IntegrationSpec, seq: number, at = new Date()): AnyEvent {
    return cloudEvent({
      ...base(s, seq, at),
      type: "integration.created",
      data: { integration: snapshot(s, seq, at), actor: "admin-1" },
    }) as AnyEvent;
  },
  updated(s: IntegrationSpec, seq: number, changedFields: string[], at = new Date()): AnyEvent {
    return cloudEvent({
      ...base(s, seq, at),
      type: "integration.updated",
      data: { integration: snapshot(s, seq, at), changedFields, actor: "admin-1" },
    }) as AnyEvent;
  },
  deleted(s: IntegrationSpec, seq: number, at = new Date()): AnyEvent {
    return cloudEvent({
      ...base(s, seq, at),
      type: "integration.deleted",
      data: { integrationId: s.id, name: s.name, integrationType: s.type, version: seq, actor: "admin-1" },
    }) as AnyEvent;
  },
  statusChanged(
    s: IntegrationSpec,
    seq: number,
    from: IntegrationStatus,
    to: IntegrationStatus,
    at = new Date(),
  ): AnyEvent {
    return cloudEvent({
      ...base(s, seq, at),
      type: "integration.status_changed",
      data: {
        integrationId: s.id,
        from,
        to,
        reason: to === "ERROR" ? "probe_failures" : "probe_recovered",
        consecutiveFailures: to === "ERROR" ? 3 : 0,
        lastError: to === "ERROR" ? "CONNECTION_REFUSED: connection refused" : null,
        lastSyncedAt: null,
        causationId: null,
      },
    }) as AnyEvent;
  },
  probe(s: IntegrationSpec, seq: number, success: boolean, at = new Date()): AnyEvent {
    return cloudEvent({
      ...base(s, seq, at, EVENT_SOURCES.probeWorker),
      type: "integration.probe_completed",
      data: {
        integrationId: s.id,
        tenantId: s.tenantId,
        testId: null,
        trigger: "scheduled",
        integrationType: s.type,
        probe: "http",
        success,
        latencyMs: 12,
        timings: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: 12 },
        tls: null,
        error: success
          ? null
          : { code: "CONNECTION_REFUSED", message: "connection refused", stage: "connect" },
        diagnostics: {},
        attempts: 1,
        scheduledAt: null,
        checkedAt: at.toISOString(),
      },
    }) as AnyEvent;
  },
  /** An incident event for `s`; `incidentId` stays the same across the incident's opened/acknowledged/resolved. */
  incident(
    s: IntegrationSpec,
    seq: number,
    incidentId: string,
    state: IncidentState,
    at = new Date(),
  ): AnyEvent {
    const snap = {
      id: incidentId,
      tenantId: s.tenantId,
      integrationId: s.id,
      integrationName: s.name,
      integrationType: s.type,
      state,
      openedAt: at.toISOString(),
      acknowledgedAt: state === "acknowledged" ? at.toISOString() : null,
      acknowledgedBy: state === "acknowledged" ? "admin-1" : null,
      resolvedAt: state === "resolved" ? at.toISOString() : null,
      resolveReason: state === "resolved" ? ("recovered" as const) : null,
      error: { code: "CONNECTION_REFUSED", stage: "connect", message: "connection refused" },
      kind: "STATUS" as const,
      anomaly: null,
      flapping: null,
      maintenance: null,
    };
    const common = base(s, seq, at, EVENT_SOURCES.alertService);
    if (state === "open") {
      return cloudEvent({
        ...common,
        type: "incident.opened",
        data: { incident: snap, causationId: randomUUID() },
      }) as AnyEvent;
    }
    if (state === "acknowledged") {
      return cloudEvent({
        ...common,
        type: "incident.acknowledged",
        data: { incident: snap, actor: "admin-1" },
      }) as AnyEvent;
    }
    return cloudEvent({
      ...common,
      type: "incident.resolved",
      data: { incident: snap, causationId: randomUUID() },
    }) as AnyEvent;
  },
};

/** The topic key each event travels on. */
export function topicKeyOf(e: AnyEvent): "config" | "status" | "incident" {
  if (e.type.startsWith("incident.")) return "incident";
  if (e.type === "integration.probe_completed" || e.type === "integration.status_changed") return "status";
  return "config";
}
