import { randomUUID } from "node:crypto";
import {
  type ConfigEvent,
  type ConnectionSpec,
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationSnapshot,
} from "@hip/contracts";
import { makeSpec as baseSpec } from "../probes/testing/peers.ts";

export function makeSpec(overrides: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return baseSpec({
    id: randomUUID(),
    name: "Lab API",
    endpoint: "http://127.0.0.1:9/health",
    timeout: 5_000,
    ...overrides,
  });
}

function snapshot(spec: ConnectionSpec): IntegrationSnapshot {
  const now = new Date().toISOString();
  return {
    id: spec.id,
    tenantId: spec.tenantId,
    name: spec.name,
    type: spec.type,
    provider: null,
    description: null,
    endpoint: spec.endpoint,
    webhookUrl: spec.webhookUrl,
    authType: spec.authType,
    status: spec.status,
    timeout: spec.timeout,
    retryAttempts: spec.retryAttempts,
    healthCheck: spec.healthCheck,
    failureThreshold: 3,
    recoveryThreshold: 1,
    failureWindow: null,
    credentialsExpireAt: null,
    dependsOn: [],
    credentialsSet: {},
    headerNames: Object.keys(spec.headers),
    version: spec.version,
    createdAt: now,
    updatedAt: now,
  };
}

const base = (spec: ConnectionSpec, sequence: number) => ({
  id: randomUUID(),
  source: EVENT_SOURCES.configService,
  subject: spec.id,
  tenantId: spec.tenantId,
  sequence,
});

export function createdEvent(spec: ConnectionSpec, sequence: number): ConfigEvent {
  return cloudEvent({
    ...base(spec, sequence),
    type: "integration.created",
    data: { integration: snapshot(spec), actor: "admin-1" },
  });
}

export function updatedEvent(spec: ConnectionSpec, sequence: number): ConfigEvent {
  return cloudEvent({
    ...base(spec, sequence),
    type: "integration.updated",
    data: { integration: snapshot(spec), changedFields: ["status"], actor: "admin-1" },
  });
}

export function deletedEvent(spec: ConnectionSpec, sequence: number): ConfigEvent {
  return cloudEvent({
    ...base(spec, sequence),
    type: "integration.deleted",
    data: {
      integrationId: spec.id,
      name: spec.name,
      integrationType: spec.type,
      version: spec.version,
      actor: "admin-1",
    },
  });
}

export function testRequestedEvent(spec: ConnectionSpec, sequence: number, testId: string): ConfigEvent {
  return cloudEvent({
    ...base(spec, sequence),
    type: "integration.test_requested",
    data: { testId, integrationId: spec.id, requestedBy: "admin-1", waitMs: 5000 },
  });
}
