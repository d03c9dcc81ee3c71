import { randomBytes } from "node:crypto";
import {
  createTestDatabase,
  getTestStack,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
} from "@hip/testkit";
import { createLogger, shutdownRegistryFor, signHs256 } from "@hip/service-kit";
import { runMigrations } from "../src/db/migrate.ts";
import { type ConfigEnv, loadEnv } from "../src/env.ts";
import { createRuntime, type Runtime } from "../src/runtime.ts";

export const TEST_JWT_SECRET = "config-service-test-secret-0123456789abcdef";
export const TEST_KEYS = `k1:${randomBytes(32).toString("base64")}`;

export interface TestService {
  runtime: Runtime;
  env: ConfigEnv;
  database: TestDatabase | null;
  /** Every log line the service wrote (JSON), for secret scans. */
  logs: string[];
  request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    opts?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: unknown; headers: Record<string, unknown>; raw: string }>;
  close(): Promise<void>;
}

/** Environment of an isolated service: own database, topic prefix and Redis prefix unless given. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<{
  source: Record<string, string>;
  database: TestDatabase | null;
}> {
  const stack = await getTestStack();
  let database: TestDatabase | null = null;
  let url = overrides.DATABASE_URL;
  if (!url) {
    database = await createTestDatabase("hip_config");
    url = database.url;
    await runMigrations(url);
  }
  return {
    database,
    source: {
      NODE_ENV: "test",
      LOG_LEVEL: "debug",
      DATABASE_URL: url,
      DATABASE_POOL_MAX: "5",
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: uniqueRedisPrefix(),
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
      JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIALS_KEYS: TEST_KEYS,
      OUTBOX_POLL_MS: "200",
      ...overrides,
    },
  };
}

export async function startService(
  overrides: Record<string, string> = {},
  opts: { kafka?: boolean } = {},
): Promise<TestService> {
  const { source, database } = await testEnv(overrides);
  const env = loadEnv(source);
  const logs: string[] = [];
  // The production logger (redaction paths, request-URL and error serializers), writing into `logs`.
  const logger = createLogger(
    { name: "config-service", level: "debug" },
    { write: (line: string) => void logs.push(line) },
  );
  const runtime = await createRuntime(env, logger, { kafka: opts.kafka ?? false });
  const shutdown = shutdownRegistryFor(runtime, logger);
  await runtime.start();
  return {
    runtime,
    env,
    database,
    logs,
    async request(method, url, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      const res = await runtime.app.inject({
        method,
        url,
        headers,
        ...(o.body !== undefined ? { payload: o.body as object } : {}),
      });
      let body: unknown = null;
      try {
        body = res.body ? JSON.parse(res.body) : null;
      } catch {
        body = res.body;
      }
      return { status: res.statusCode, body, headers: res.headers, raw: res.body };
    },
    async close() {
      await shutdown.shutdown("test");
      await database?.drop();
    },
  };
}

export function token(
  tenantId: string,
  role: "admin" | "viewer" = "admin",
  extra: { sub?: string; ttl?: number; secret?: string } = {},
): string {
  return signHs256(
    { sub: extra.sub ?? `${role}@${tenantId}`, tenantId, roles: [role] },
    extra.secret ?? TEST_JWT_SECRET,
    {
      ttlSeconds: extra.ttl ?? 3600,
    },
  );
}

export function serviceToken(sub = "probe-worker"): string {
  return signHs256({ sub, roles: ["service"] }, TEST_JWT_SECRET, { ttlSeconds: 3600 });
}

/** Literal on purpose (not API_BASE_PATH): the tests pin the public path. */
export const API = "/api/integration";

export function labBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Lab ${randomBytes(4).toString("hex")}`,
    type: "LAB_SYSTEM",
    provider: "LabCorp",
    description: "Results feed",
    endpoint: "https://lab.example.com/api",
    authType: "NONE",
    ...overrides,
  };
}

export interface ErrorBody {
  error: { code: string; statusCode: number; details?: Array<{ field: string; rule: string }> };
}
