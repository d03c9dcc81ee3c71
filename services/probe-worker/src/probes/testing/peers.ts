import type { ConnectionSpec } from "@hip/contracts";
import type { ProbeContext } from "../index.ts";
import { OAuthTokenCache } from "../oauth-token-cache.ts";

/**
 * Test-only helpers: spec/context builders. The real peers on 127.0.0.1 (HTTP, HTTPS, TCP, a closed port, a
 * self-signed certificate) live in @hip/simulators, shared with the system tests and `./dev demo`; they are
 * re-exported here so probe tests import one module. Never imported by runtime code.
 */
export {
  closedPort,
  type HttpPeer,
  json,
  listen,
  type RecordedRequest,
  selfSignedCert,
  startHttp,
  startHttps,
  startTcp,
} from "@hip/simulators";

export function makeSpec(over: Partial<ConnectionSpec> = {}): ConnectionSpec {
  return {
    id: "0b5f3c1e-6a39-4a1e-9b5e-1f2d3c4b5a69",
    tenantId: "tenant-a",
    name: "test integration",
    type: "API",
    status: "ACTIVE",
    endpoint: null,
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
    timeout: 3_000,
    retryAttempts: 0,
    healthCheck: { enabled: true, intervalSeconds: 60 },
    version: 1,
    ...over,
  };
}

export function testCtx(over: Partial<ProbeContext> = {}): ProbeContext & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    allowedCidrs: ["127.0.0.0/8"],
    tokenCache: new OAuthTokenCache(),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    sleeps,
    ...over,
  };
}
