import { type AnyEvent, topicNames } from "@hip/contracts";
import { EventBus, type EventProducer } from "@hip/events";
import { createLogger, DEV_JWT_SECRET, signHs256 } from "@hip/service-kit";
import {
  createTestDatabase,
  getTestStack,
  type RunningService,
  runScript,
  startService,
  type TestDatabase,
  uniqueTopicPrefix,
  waitFor,
} from "@hip/testkit";
import { topicKeyOf } from "../src/testing.ts";

export const logger = createLogger({ name: "status-client-test", level: "warn" });

export function token(claims: { sub?: string; tenantId?: string; roles: string[] }): string {
  return signHs256({ sub: claims.sub ?? "user-1", ...claims }, DEV_JWT_SECRET, { ttlSeconds: 3600 });
}

/** The real stats-service (a `node src/main.ts` process) on its own database and topic prefix. */
export interface Platform {
  prefix: string;
  brokers: string[];
  bus: EventBus;
  producer: EventProducer;
  topics: ReturnType<typeof topicNames>;
  stats: RunningService;
  env: Record<string, string>;
  publish(events: AnyEvent[]): Promise<void>;
  /** Waits until the stats-service's snapshot group has read everything published so far. */
  snapshotCaughtUp(): Promise<void>;
  close(): Promise<void>;
}

/** `brokers`: a private broker (PrivateKafka) instead of the shared one, for tests that stop it. */
export async function startPlatform(opts: { brokers?: string[] } = {}): Promise<Platform> {
  const stack = await getTestStack();
  const brokers = opts.brokers ?? stack.kafkaBrokers;
  const db: TestDatabase = await createTestDatabase("statusclient");
  const prefix = uniqueTopicPrefix();
  const topics = topicNames(prefix);
  const bus = new EventBus({ brokers, clientId: "status-client-test", logger });
  await bus.ensureTopics([
    { topic: topics.config, partitions: 3 },
    { topic: topics.status, partitions: 3 },
    { topic: topics.incident, partitions: 3 },
    { topic: topics.deadLetter, partitions: 1 },
  ]);
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: brokers.join(","),
    KAFKA_TOPIC_PREFIX: prefix,
    LOG_LEVEL: "warn",
  };
  await runScript("stats-service", "src/db/migrate.ts", env);
  const stats = await startService({ name: "stats-service", env, readyTimeoutMs: 90_000 });
  const producer = await bus.producer();
  return {
    prefix,
    brokers,
    bus,
    producer,
    topics,
    stats,
    env,
    async publish(events) {
      for (const e of events) await producer.send(topics[topicKeyOf(e)], [{ key: e.subject, value: e }]);
    },
    async snapshotCaughtUp() {
      const group = `${prefix}stats-service.status-snapshot`;
      await waitFor(
        async () => {
          const lag = await bus.groupLag(group, [topics.config, topics.status, topics.incident]);
          return Object.values(lag).every((n) => n === 0);
        },
        { what: "stats-service status snapshot caught up", timeoutMs: 60_000 },
      );
    },
    async close() {
      await stats.stop();
      await bus.close();
      await db.drop();
    },
  };
}
