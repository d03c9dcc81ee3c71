import { randomBytes, randomUUID } from "node:crypto";
import {
  AnyEvent,
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationCreated,
  type IntegrationDeleted,
  type IntegrationUpdated,
  type IntegrationProbeCompleted,
  type IntegrationStatus,
  type IntegrationStatusChanged,
  type IntegrationType,
  type ProbeResult,
  type TopicNames,
  topicNames,
} from "@hip/contracts";
import { EventBus, type EventProducer } from "@hip/events";
import { REDACT_PATHS, shutdownRegistryFor, signHs256 } from "@hip/service-kit";
import {
  createTestDatabase,
  getTestStack,
  type TestDatabase,
  uniqueRedisPrefix,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";
import { pino } from "pino";
import { runMigrations } from "../src/db/migrate.ts";
import { type AlertEnv, loadEnv } from "../src/env.ts";
import { createRuntime, type Runtime } from "../src/runtime.ts";

export const TEST_JWT_SECRET = "alert-service-test-secret-0123456789abcdef";
export const TEST_KEYS = `k1:${randomBytes(32).toString("base64")}`;
export const API = "/api/integration/alerts";

/** An isolated environment: own database (migrated), Kafka topic prefix and Redis prefix unless given. */
export async function testEnv(overrides: Record<string, string> = {}): Promise<{
  source: Record<string, string>;
  database: TestDatabase | null;
}> {
  const stack = await getTestStack();
  let database: TestDatabase | null = null;
  let url = overrides.DATABASE_URL;
  if (!url) {
    database = await createTestDatabase("hip_alerts");
    url = database.url;
    await runMigrations(url);
  }
  return {
    database,
    source: {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      DATABASE_URL: url,
      DATABASE_POOL_MAX: "5",
      REDIS_URL: stack.redisUrl,
      REDIS_PREFIX: uniqueRedisPrefix(),
      KAFKA_BROKERS: stack.kafkaBrokers.join(","),
      KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
      JWT_SECRET: TEST_JWT_SECRET,
      CREDENTIALS_KEYS: TEST_KEYS,
      ALERT_ALLOWED_CIDRS: "127.0.0.0/8",
      ALERT_RETRY_BASE_MS: "50",
      ALERT_RETRY_MAX_MS: "400",
      ALERT_DELIVERY_TIMEOUT_MS: "3000",
      ALERT_DISPATCH_POLL_MS: "200",
      ALERT_TIMER_POLL_MS: "3600000",
      OUTBOX_POLL_MS: "200",
      ...overrides,
    },
  };
}

export interface TestService {
  runtime: Runtime;
  env: AlertEnv;
  source: Record<string, string>;
  database: TestDatabase | null;
  topics: TopicNames;
  /** Every log line the service wrote (JSON), for secret scans. */
  logs: string[];
  request(
    method: "GET" | "POST" | "PATCH" | "DELETE",
    url: string,
    opts?: { token?: string | null; body?: unknown },
    // biome-ignore lint/suspicious/noExplicitAny: tests inspect response bodies freely
  ): Promise<{ status: number; body: any; raw: string }>;
  close(opts?: { keepDatabase?: boolean }): Promise<void>;
}

/** The service in this process (real Postgres, Redis, Kafka), started: consumers, worker, dispatcher, relay. */
export async function startAlertService(
  overrides: Record<string, string> = {},
  opts: { kafka?: boolean; start?: boolean; clock?: () => Date } = {},
): Promise<TestService> {
  const { source, database } = await testEnv(overrides);
  const env = loadEnv(source);
  const logs: string[] = [];
  const logger = pino(
    { name: "alert-service", level: "info", redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } },
    { write: (line: string) => void logs.push(line) },
  );
  const runtime = await createRuntime(env, logger, {
    kafka: opts.kafka ?? true,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const shutdown = shutdownRegistryFor(runtime, logger);
  if (opts.start !== false) await runtime.start();
  return {
    runtime,
    env,
    source,
    database,
    topics: topicNames(env.KAFKA_TOPIC_PREFIX),
    logs,
    async request(method, url, o = {}) {
      const headers: Record<string, string> = {};
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
      return { status: res.statusCode, body, raw: res.body };
    },
    async close(o = {}) {
      // The way SIGTERM stops it: the registry's phases, in order.
      await shutdown.shutdown("test");
      if (!o.keepDatabase) await database?.drop();
    },
  };
}

export function token(
  tenantId: string,
  role: "admin" | "viewer" = "admin",
  secret = TEST_JWT_SECRET,
): string {
  return signHs256({ sub: `${role}@${tenantId}`, tenantId, roles: [role] }, secret, { ttlSeconds: 3600 });
}

/** A Kafka producer for the test's topics plus a capture of integration.incident.v1. */
export async function kafkaFor(topics: TopicNames) {
  const stack = await getTestStack();
  const bus = new EventBus({
    brokers: stack.kafkaBrokers,
    clientId: "alert-test",
    logger: pino({ level: "silent" }),
  });
  await bus.ensureTopics([
    { topic: topics.config },
    { topic: topics.status },
    { topic: topics.incident },
    { topic: topics.deadLetter },
  ]);
  const producer: EventProducer = await bus.producer();
  const incidents: Array<{ raw: string; event: AnyEvent; key: string | null }> = [];
  const consumer = await bus.consumer({
    groupId: `${topics.incident}.capture.${randomUUID()}`,
    topics: [topics.incident],
    schema: AnyEvent,
    deadLetterTopic: topics.deadLetter,
    fromBeginning: true,
    handle: async (event, meta) => {
      incidents.push({ raw: JSON.stringify(event), event, key: meta.key });
    },
  });
  await consumer.start();
  return {
    producer,
    incidents,
    bus,
    async publish(topic: string, events: Array<{ subject: string } & Record<string, unknown>>) {
      await producer.send(
        topic,
        events.map((e) => ({ key: e.subject, value: e })),
      );
    },
    close: () => bus.close(),
  };
}

/** Per-integration config-service sequence, as the real service keeps it (one counter across both topics). */
export class FakeIntegration {
  readonly id = randomUUID();
  seq = 0;
  status: IntegrationStatus = "ACTIVE";
  probeSeq = Date.now();
  credentialsExpireAt: string | null = null;
  dependsOn: string[] = [];

  readonly tenantId: string;
  readonly name: string;
  readonly type: IntegrationType;

  constructor(tenantId: string, name: string, type: IntegrationType = "LAB_SYSTEM") {
    this.tenantId = tenantId;
    this.name = name;
    this.type = type;
  }

  snapshot() {
    const now = new Date().toISOString();
    return {
      id: this.id,
      tenantId: this.tenantId,
      name: this.name,
      type: this.type,
      provider: null,
      description: null,
      endpoint: "https://lab.example.org/health",
      webhookUrl: null,
      authType: "NONE" as const,
      status: this.status,
      timeout: 5000,
      retryAttempts: 0,
      healthCheck: { enabled: true, intervalSeconds: 60 },
      failureThreshold: 3,
      recoveryThreshold: 1,
      failureWindow: null,
      credentialsExpireAt: this.credentialsExpireAt,
      dependsOn: this.dependsOn,
      credentialsSet: {},
      headerNames: [],
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  }

  updated(changedFields: string[] = ["credentialsExpireAt"]): IntegrationUpdated {
    this.seq++;
    return cloudEvent({
      id: randomUUID(),
      type: "integration.updated",
      source: EVENT_SOURCES.configService,
      subject: this.id,
      tenantId: this.tenantId,
      sequence: this.seq,
      data: { integration: this.snapshot(), changedFields, actor: "admin@t" },
    });
  }

  created(): IntegrationCreated {
    this.seq++;
    return cloudEvent({
      id: randomUUID(),
      type: "integration.created",
      source: EVENT_SOURCES.configService,
      subject: this.id,
      tenantId: this.tenantId,
      sequence: this.seq,
      data: { integration: this.snapshot(), actor: "admin@t" },
    });
  }

  deleted(): IntegrationDeleted {
    this.seq++;
    return cloudEvent({
      id: randomUUID(),
      type: "integration.deleted",
      source: EVENT_SOURCES.configService,
      subject: this.id,
      tenantId: this.tenantId,
      sequence: this.seq,
      data: {
        integrationId: this.id,
        name: this.name,
        integrationType: this.type,
        version: 2,
        actor: "admin@t",
      },
    });
  }

  probeFailed(
    code = "CONNECTION_REFUSED",
    message = "connection refused: nothing listens on that port",
  ): IntegrationProbeCompleted {
    this.probeSeq++;
    const data: ProbeResult = {
      integrationId: this.id,
      tenantId: this.tenantId,
      testId: null,
      trigger: "scheduled",
      integrationType: this.type,
      probe: "http",
      success: false,
      latencyMs: 3,
      timings: { dnsMs: null, connectMs: 1, tlsMs: null, firstByteMs: null, totalMs: 3 },
      tls: null,
      error: { code, message, stage: "connect" },
      diagnostics: {},
      attempts: 1,
      scheduledAt: null,
      checkedAt: new Date().toISOString(),
    };
    return cloudEvent({
      id: randomUUID(),
      type: "integration.probe_completed",
      source: EVENT_SOURCES.probeWorker,
      subject: this.id,
      tenantId: this.tenantId,
      sequence: this.probeSeq,
      data,
    });
  }

  statusChanged(to: IntegrationStatus, causationId: string | null = null): IntegrationStatusChanged {
    const from = this.status;
    this.status = to;
    this.seq++;
    return cloudEvent({
      id: randomUUID(),
      type: "integration.status_changed",
      source: EVENT_SOURCES.configService,
      subject: this.id,
      tenantId: this.tenantId,
      sequence: this.seq,
      data: {
        integrationId: this.id,
        from,
        to,
        reason: to === "ERROR" ? "probe_failures" : to === "ACTIVE" ? "probe_recovered" : "admin",
        consecutiveFailures: to === "ERROR" ? 3 : 0,
        consecutiveSuccesses: to === "ERROR" ? 0 : 1,
        lastError: to === "ERROR" ? "connection refused: nothing listens on that port" : null,
        lastSyncedAt: null,
        causationId,
      },
    });
  }
}

export { waitFor };
