import { randomUUID } from "node:crypto";
import {
  type AnyEvent,
  cloudEvent,
  EVENT_SOURCES,
  type IntegrationStatus,
  type IntegrationType,
  topicNames,
} from "@hip/contracts";
import { EventBus, type EventProducer } from "@hip/events";
import { createLogger, DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import { createTestDatabase, getTestStack, type TestDatabase, uniqueTopicPrefix } from "@hip/testkit";
import type pg from "pg";
import { createDatabase, type Database } from "../src/db/client.ts";
import { migrateStats } from "../src/db/migrate.ts";

// Quiet by default: tests provoke warnings on purpose (a dead-lettered message); TEST_LOG_LEVEL=debug to see them.
export const logger = createLogger({ name: "stats-test", level: process.env.TEST_LOG_LEVEL ?? "error" });
export const RETENTION = { raw: 7, minute: 30, hour: 365 };

/** HS256 token signed with the dev secret (what the app under test verifies with). */
export function token(claims: { sub?: string; tenantId?: string; roles: string[] }): string {
  return signHs256({ sub: claims.sub ?? "user-1", ...claims }, DEV_JWT_SECRET, { ttlSeconds: 3600 });
}

export interface Harness {
  testDb: TestDatabase;
  database: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function databaseHarness(): Promise<Harness> {
  const testDb = await createTestDatabase("statsit");
  await migrateStats(testDb.url);
  const database = createDatabase(testDb.url, 5);
  return {
    testDb,
    database,
    pool: database.pool,
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}

export interface KafkaHarness {
  prefix: string;
  bus: EventBus;
  producer: EventProducer;
  topics: ReturnType<typeof topicNames>;
  publish(events: AnyEvent[]): Promise<void>;
}

export async function kafkaHarness(): Promise<KafkaHarness> {
  const stack = await getTestStack();
  const prefix = uniqueTopicPrefix();
  const bus = new EventBus({ brokers: stack.kafkaBrokers, clientId: "stats-test", logger });
  const topics = topicNames(prefix);
  await bus.ensureTopics([
    { topic: topics.config, partitions: 3 },
    { topic: topics.status, partitions: 3 },
    { topic: topics.deadLetter, partitions: 1 },
  ]);
  const producer = await bus.producer();
  return {
    prefix,
    bus,
    producer,
    topics,
    async publish(events) {
      const config = events.filter((e) => !isStatusTopic(e));
      const status = events.filter(isStatusTopic);
      await producer.sendBatch([
        { topic: topics.config, messages: config.map((e) => ({ key: e.subject, value: e })) },
        { topic: topics.status, messages: status.map((e) => ({ key: e.subject, value: e })) },
      ]);
    },
  };
}

function isStatusTopic(e: AnyEvent): boolean {
  return e.type === "integration.probe_completed" || e.type === "integration.status_changed";
}

const SNAPSHOT_DEFAULTS = {
  description: null,
  endpoint: "https://example.test/fhir",
  webhookUrl: null,
  authType: "NONE" as const,
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
};

export interface Spec {
  id: string;
  tenantId: string;
  name: string;
  type: IntegrationType;
  provider?: string | null;
  status: IntegrationStatus;
}

function snapshot(s: Spec, version: number, at: Date) {
  return {
    ...SNAPSHOT_DEFAULTS,
    id: s.id,
    tenantId: s.tenantId,
    name: s.name,
    type: s.type,
    provider: s.provider ?? null,
    status: s.status,
    version,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
  };
}

const config = EVENT_SOURCES.configService;

export const ev = {
  created(s: Spec, seq: number, at = new Date()): AnyEvent {
    return cloudEvent({
      id: randomUUID(),
      type: "integration.created",
      source: config,
      subject: s.id,
      tenantId: s.tenantId,
      sequence: seq,
      time: at,
      data: { integration: snapshot(s, seq, at), actor: "admin-1" },
    }) as AnyEvent;
  },
  updated(s: Spec, seq: number, changedFields: string[], at = new Date()): AnyEvent {
    return cloudEvent({
      id: randomUUID(),
      type: "integration.updated",
      source: config,
      subject: s.id,
      tenantId: s.tenantId,
      sequence: seq,
      time: at,
      data: { integration: snapshot(s, seq, at), changedFields, actor: "admin-1" },
    }) as AnyEvent;
  },
  deleted(s: Spec, seq: number, at = new Date()): AnyEvent {
    return cloudEvent({
      id: randomUUID(),
      type: "integration.deleted",
      source: config,
      subject: s.id,
      tenantId: s.tenantId,
      sequence: seq,
      time: at,
      data: { integrationId: s.id, name: s.name, integrationType: s.type, version: seq, actor: "admin-1" },
    }) as AnyEvent;
  },
  statusChanged(
    s: Spec,
    seq: number,
    from: IntegrationStatus,
    to: IntegrationStatus,
    at = new Date(),
  ): AnyEvent {
    return cloudEvent({
      id: randomUUID(),
      type: "integration.status_changed",
      source: config,
      subject: s.id,
      tenantId: s.tenantId,
      sequence: seq,
      time: at,
      data: {
        integrationId: s.id,
        from,
        to,
        reason: to === "ERROR" ? "probe_failures" : "probe_recovered",
        consecutiveFailures: to === "ERROR" ? 3 : 0,
        consecutiveSuccesses: to === "ERROR" ? 0 : 1,
        lastError: to === "ERROR" ? "ECONNREFUSED: connection refused" : null,
        lastSyncedAt: null,
        causationId: null,
      },
    }) as AnyEvent;
  },
  probe(s: Spec, seq: number, r: { success: boolean; latencyMs: number; checkedAt: Date }): AnyEvent {
    return cloudEvent({
      id: randomUUID(),
      type: "integration.probe_completed",
      source: EVENT_SOURCES.probeWorker,
      subject: s.id,
      tenantId: s.tenantId,
      sequence: seq,
      time: r.checkedAt,
      data: {
        integrationId: s.id,
        tenantId: s.tenantId,
        testId: null,
        trigger: "scheduled",
        integrationType: s.type,
        probe: "http",
        success: r.success,
        latencyMs: r.latencyMs,
        timings: { dnsMs: null, connectMs: null, tlsMs: null, firstByteMs: null, totalMs: r.latencyMs },
        tls: null,
        error: r.success ? null : { code: "ECONNREFUSED", message: "connection refused", stage: "connect" },
        diagnostics: {},
        attempts: 1,
        scheduledAt: null,
        checkedAt: r.checkedAt.toISOString(),
      },
    }) as AnyEvent;
  },
};

/** The whole read model as comparable rows (volatile bookkeeping columns left out; zero counters dropped). */
export async function snapshotModel(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const q = async (sql: string) => (await pool.query(sql)).rows;
  return {
    processed: await q("SELECT event_id FROM stats.processed_events ORDER BY 1"),
    sequences: await q("SELECT * FROM stats.applied_sequences ORDER BY 1, 2"),
    integrations: await q(
      `SELECT integration_id, tenant_id, known, name, type, provider, status, status_since, deleted_at,
        last_check_at, last_check_success, last_latency_ms, last_success_at, last_error_at, last_error
       FROM stats.integrations ORDER BY 1`,
    ),
    counts: await q(
      "SELECT tenant_id, status, type, n FROM stats.tenant_counts WHERE n <> 0 ORDER BY 1, 2, 3",
    ),
    tenantState: await q("SELECT * FROM stats.tenant_state ORDER BY 1"),
    state: await q("SELECT newest_event_at, events_applied FROM stats.projection_state"),
    checks: await q("SELECT * FROM stats.checks ORDER BY 1"),
    rollupMinute: await q("SELECT * FROM stats.rollup_minute ORDER BY 1, 3"),
    rollupHour: await q("SELECT * FROM stats.rollup_hour ORDER BY 1, 3"),
    tenantMinute: await q("SELECT * FROM stats.tenant_rollup_minute ORDER BY 1, 2, 3"),
    tenantHour: await q("SELECT * FROM stats.tenant_rollup_hour ORDER BY 1, 2, 3"),
  };
}
