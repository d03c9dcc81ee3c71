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

  constructor(opts: EventBusOptions) {
    this.opts = opts;
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logCreator: pinoLogCreator(opts.logger),
      retry: { initialRetryTime: 200, retries: 10 },
      connectionTimeout: 3000,
    });
  }

  /**
   * A producer with acks=all and one request in flight per connection, so retries never reorder. Not kafkajs'
   * idempotent mode: that needs unbounded retries (it warns otherwise), and a send must be able to give up
   * during a broker outage. A retried send may write a message twice; every event carries a deterministic id
   * and every consumer dedupes by it (decision 0023).
   */
  async producer(): Promise<EventProducer> {
    const producer = this.kafka.producer({
      idempotent: false,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
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
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
      allowAutoTopicCreation: false,
    });
    const wrapped = new EventConsumer(
      consumer,
      dlq,
      opts,
      this.opts.logger.child({ consumer: opts.groupId }),
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
