import { Kafka, Partitioners, type Admin } from "kafkajs";
import type { Logger } from "pino";
import type { z } from "zod";
import { type ConsumerOptions, EventConsumer } from "./consumer.ts";
import { pinoLogCreator } from "./kafka-logger.ts";
import { EventProducer } from "./producer.ts";

// kafkajs 2.x warns once about its v2 partitioner change; we use the default (murmur2-compatible Java one).
process.env.KAFKAJS_NO_PARTITIONER_WARNING = "1";

export interface EventBusOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Retry and group timing; defaults are the documented ones (docs/resilience.md). */
  tuning?: Partial<KafkaTuning>;
}

/** How fast the client notices a broker outage, retries, and how long a dead member holds its partitions. */
export interface KafkaTuning {
  /** Cap of the client's exponential retry backoff (also the consumer's restart delay after a crash). */
  retryMaxMs: number;
  retryInitialMs: number;
  /** Retries of one request before it fails (a failed consumer then restarts after `retryMaxMs` at most). */
  retries: number;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  /** A member that sends no heartbeat for this long is removed and its partitions reassigned. */
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Consumers commit offsets at most this often (0: after every batch). See ConsumerOptions.commitIntervalMs. */
  commitIntervalMs: number;
}

export const DEFAULT_KAFKA_TUNING: KafkaTuning = {
  retryMaxMs: 1_000,
  retryInitialMs: 200,
  retries: 8,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  sessionTimeoutMs: 8_000,
  heartbeatIntervalMs: 1_000,
  commitIntervalMs: 1_000,
};

/** The tuning from the shared env variables (service-kit's kafkaEnv), unset ones at their defaults. */
export function kafkaTuningFromEnv(env: {
  KAFKA_RETRY_MAX_MS?: number;
  KAFKA_SESSION_TIMEOUT_MS?: number;
  KAFKA_HEARTBEAT_INTERVAL_MS?: number;
  KAFKA_COMMIT_INTERVAL_MS?: number;
}): Partial<KafkaTuning> {
  return {
    ...(env.KAFKA_RETRY_MAX_MS !== undefined ? { retryMaxMs: env.KAFKA_RETRY_MAX_MS } : {}),
    ...(env.KAFKA_SESSION_TIMEOUT_MS !== undefined ? { sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS } : {}),
    ...(env.KAFKA_HEARTBEAT_INTERVAL_MS !== undefined
      ? { heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS }
      : {}),
    ...(env.KAFKA_COMMIT_INTERVAL_MS !== undefined ? { commitIntervalMs: env.KAFKA_COMMIT_INTERVAL_MS } : {}),
  };
}

export interface TopicSpec {
  topic: string;
  partitions?: number;
  retentionMs?: number;
}

/**
 * The one place that knows the Kafka client library (kafkajs). Services get producers, consumers and topic
 * admin from here, so swapping the client means changing this package only.
 */
export class EventBus {
  private readonly kafka: Kafka;
  private admin: Admin | null = null;
  private readonly closers: Array<() => Promise<void>> = [];

  private readonly opts: EventBusOptions;
  readonly tuning: KafkaTuning;

  constructor(opts: EventBusOptions) {
    this.opts = opts;
    this.tuning = { ...DEFAULT_KAFKA_TUNING, ...opts.tuning };
    const t = this.tuning;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logCreator: pinoLogCreator(opts.logger),
      retry: { initialRetryTime: t.retryInitialMs, maxRetryTime: t.retryMaxMs, retries: t.retries },
      connectionTimeout: t.connectionTimeoutMs,
      requestTimeout: t.requestTimeoutMs,
    });
  }

  /**
   * A producer with acks=all and one request in flight per connection, so retries never reorder. Not kafkajs'
   * idempotent mode: that needs unbounded retries (it warns otherwise), and a send must be able to give up
   * during a broker outage. A retried send may write a message twice; every event carries a deterministic id
   * and every consumer dedupes by it (decision 0023). `retries` overrides the client's count for this producer:
   * a publisher with its own durable buffer wants a send to fail fast and retries it itself.
   */
  async producer(opts: { transactionalId?: string; retries?: number } = {}): Promise<EventProducer> {
    const t = this.tuning;
    const producer = this.kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(opts.retries !== undefined
        ? { retry: { initialRetryTime: t.retryInitialMs, maxRetryTime: t.retryMaxMs, retries: opts.retries } }
        : {}),
      ...(opts.transactionalId ? { transactionalId: opts.transactionalId } : {}),
    });
    await producer.connect();
    const wrapped = new EventProducer(producer);
    this.closers.push(() => wrapped.disconnect());
    return wrapped;
  }

  /** A consumer-group member; call start() on it. Dead letters go through a producer of its own. */
  async consumer<S extends z.ZodType>(opts: ConsumerOptions<S>): Promise<EventConsumer<S>> {
    const dlq = await this.producer();
    const consumer = this.kafka.consumer({
      groupId: opts.groupId,
      sessionTimeout: this.tuning.sessionTimeoutMs,
      heartbeatInterval: this.tuning.heartbeatIntervalMs,
      // Restart after any crash, after at most retryMaxMs, so a returning broker is used within seconds.
      retry: {
        initialRetryTime: this.tuning.retryInitialMs,
        maxRetryTime: this.tuning.retryMaxMs,
        retries: this.tuning.retries,
        restartOnFailure: async () => true,
      },
      // Without a byte minimum the broker answers as soon as any event is there: the wait only bounds an idle
      // poll. 500 ms instead of kafkajs' 5 s keeps stop() and rebalances quick; 100 ms made each idle member (the
      // worker's config consumer, stats' incident and traffic members) poll 10 times a second (issue 13).
      maxWaitTimeInMs: opts.fetchMaxWaitMs ?? 500,
      ...(opts.fetchMinBytes ? { minBytes: opts.fetchMinBytes } : {}),
      allowAutoTopicCreation: false,
    });
    const wrapped = new EventConsumer(
      consumer,
      dlq,
      { ...opts, commitIntervalMs: opts.commitIntervalMs ?? this.tuning.commitIntervalMs },
      this.opts.logger.child({ consumer: opts.groupId }),
      Math.max(20_000, this.tuning.sessionTimeoutMs * 2),
    );
    this.closers.unshift(() => wrapped.stop().catch(() => undefined));
    return wrapped;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = await this.getAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions ?? 6,
        replicationFactor: -1,
        configEntries: s.retentionMs ? [{ name: "retention.ms", value: String(s.retentionMs) }] : [],
      })),
    });
  }

  /** Readiness: the cluster answers a metadata request. */
  async ping(): Promise<void> {
    const admin = await this.getAdmin();
    await admin.describeCluster();
  }

  /** Committed offsets vs. end offsets for a group: total lag per topic. */
  async groupLag(groupId: string, topics: string[]): Promise<Record<string, number>> {
    const admin = await this.getAdmin();
    const out: Record<string, number> = {};
    for (const topic of topics) {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const committedByPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
      );
      out[topic] = ends.reduce((sum, p) => {
        const c = committedByPartition.get(p.partition) ?? -1;
        const end = Number(p.high);
        return sum + Math.max(0, end - (c < 0 ? Number(p.low) : c));
      }, 0);
    }
    return out;
  }

  /** Earliest (`low`) and next (`offset`, the high watermark) offset of every partition of a topic. */
  async topicOffsets(topic: string): Promise<Array<{ partition: number; low: string; offset: string }>> {
    const admin = await this.getAdmin();
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .map((p) => ({ partition: p.partition, low: p.low, offset: p.high }))
      .sort((x, y) => x.partition - y.partition);
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
      this.closers.push(() => admin.disconnect());
    }
    return this.admin;
  }

  async close(): Promise<void> {
    for (const close of this.closers.splice(0)) await close().catch(() => undefined);
    this.admin = null;
  }
}
