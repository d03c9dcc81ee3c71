import type { ConnectionSpec } from "@hip/contracts";
import { uuidV5 } from "../../services/probe-worker/src/domain/event-id.ts";
import { makeSpec } from "../../services/probe-worker/src/probes/testing/peers.ts";

export const benchId = (i: number): string => uuidV5(`bench-integration-${i}`);

export function benchSpec(i: number, peerUrl: string, intervalSeconds: number): ConnectionSpec {
  return makeSpec({
    id: benchId(i),
    tenantId: `tenant-${i % 50}`,
    name: `bench ${i}`,
    endpoint: `${peerUrl}/health/${i}`,
    timeout: 5_000,
    healthCheck: { enabled: true, intervalSeconds },
  });
}
