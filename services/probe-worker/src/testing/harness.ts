import {
  type ConfigEvent,
  type StatusEvent,
  StatusEvent as StatusEventSchema,
  topicNames,
} from "@hip/contracts";
import { EventBus, type EventProducer } from "@hip/events";
import { createLogger, shutdownRegistryFor } from "@hip/service-kit";
import { getTestStack, uniqueRedisPrefix, uniqueTopicPrefix } from "@hip/testkit";
import { loadEnv, type ProbeWorkerEnv } from "../env.ts";
import { createRuntime, type Runtime } from "../runtime.ts";

export const silent = createLogger({ name: "probe-worker-test", level: "silent" });

/** Env for a worker under test: its own topic and Redis prefixes, loopback allowlisted, fast stall checks. */
export async function testEnv(
  overrides: Record<string, string | undefined> & { CONFIG_SERVICE_URL: string },
): Promise<ProbeWorkerEnv> {
  const stack = await getTestStack();
  return loadEnv({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    PORT: "0",
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    REDIS_PREFIX: uniqueRedisPrefix(),
    PROBE_ALLOWED_CIDRS: "127.0.0.0/8,::1/128",
    LOCK_DURATION_MS: "5000",
    STALLED_INTERVAL_MS: "1000",
    DRAIN_TIMEOUT_MS: "2000",
    SHUTDOWN_TIMEOUT_MS: "10000",
    ...overrides,
  });
}

export interface RunningWorker {
  runtime: Runtime;
  stop(): Promise<void>;
}

export async function startWorker(env: ProbeWorkerEnv): Promise<RunningWorker> {
  const runtime = await createRuntime(env, silent);
  const registry = shutdownRegistryFor(runtime, silent, env.SHUTDOWN_TIMEOUT_MS);
  await runtime.start();
  return { runtime, stop: () => registry.shutdown("test") };
}

/** Publishes config events like the config service's outbox relay, and collects status events. */
export class KafkaProbe {
  readonly status: StatusEvent[] = [];
  private readonly bus: EventBus;
  private producer: EventProducer | null = null;
  private readonly prefix: string;

  constructor(env: ProbeWorkerEnv) {
    this.prefix = env.KAFKA_TOPIC_PREFIX;
    this.bus = new EventBus({ brokers: env.KAFKA_BROKERS, clientId: "probe-worker-test", logger: silent });
  }

  async start(): Promise<void> {
    const topics = topicNames(this.prefix);
    await this.bus.ensureTopics([
      { topic: topics.config },
      { topic: topics.status },
      { topic: topics.deadLetter },
    ]);
    this.producer = await this.bus.producer();
    const consumer = await this.bus.consumer({
      groupId: `${this.prefix}test.status-reader`,
      topics: [topics.status],
      schema: StatusEventSchema,
      deadLetterTopic: topics.deadLetter,
      handle: async (event) => {
        this.status.push(event);
      },
    });
    await consumer.start();
  }

  async send(...events: ConfigEvent[]): Promise<void> {
    if (!this.producer) throw new Error("not started");
    await this.producer.send(
      topicNames(this.prefix).config,
      events.map((e) => ({ key: e.subject, value: e })),
    );
  }

  async stop(): Promise<void> {
    await this.bus.close();
  }
}
