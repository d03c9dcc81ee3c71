import type { ConnectionSpec } from "@hip/contracts";
import { uuidV5 } from "../../services/probe-worker/src/domain/event-id.ts";

export const benchId = (i: number): string => uuidV5(`bench-integration-${i}`);

export function benchSpec(i: number, peerUrl: string, intervalSeconds: number): ConnectionSpec {
  return {
    id: benchId(i),
    tenantId: `tenant-${i % 50}`,
    name: `bench ${i}`,
    type: "API",
    status: "ACTIVE",
    endpoint: `${peerUrl}/health/${i}`,
    webhookUrl: null,
    authType: "NONE",
    apiKey: null,
    apiSecret: null,
    username: null,
    password: null,
    token: null,
    tokenUrl: null,
    clientId: null,
    clientSecret: null,
    scope: null,
    headers: {},
    config: {},
    timeout: 5_000,
    retryAttempts: 0,
    healthCheck: { enabled: true, intervalSeconds },
    version: 1,
  };
}
