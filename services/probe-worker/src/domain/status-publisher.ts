import { cloudEvent, EVENT_SOURCES, IntegrationProbeCompleted, type ProbeResult } from "@hip/contracts";
import type { EventProducer } from "@hip/events";
import type { Redis } from "ioredis";
import type { WorkerKeys } from "./keys.ts";

// Per-integration monotonic sequence. Seeded from the clock (microseconds) the first time, so after a Redis
// flush a new counter still starts above every sequence published before it.
const NEXT_SEQUENCE = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])`;

interface Pending {
  eventId: string;
  result: ProbeResult;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Publishes integration.probe_completed on the status topic. Results of concurrent jobs are sent together
 * (one Kafka request per flush instead of one per check): the producer allows one request in
 * flight, so batching is what lets a worker sustain thousands of checks per second. Sequences are taken at
 * flush time, in send order, so within a process a later send never carries a lower sequence.
 */
export class StatusPublisher {
  private readonly producer: EventProducer;
  private readonly redis: Redis;
  private readonly keys: WorkerKeys;
  private readonly topic: string;
  private readonly maxBatch: number;
  private readonly lingerMs: number;
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(opts: {
    producer: EventProducer;
    redis: Redis;
    keys: WorkerKeys;
    topic: string;
    maxBatch?: number;
    lingerMs?: number;
  }) {
    this.producer = opts.producer;
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.topic = opts.topic;
    this.maxBatch = opts.maxBatch ?? 500;
    this.lingerMs = opts.lingerMs ?? 2;
  }

  /** Resolves once the event is acknowledged by Kafka (acks=all); rejects if the send failed. */
  publish(eventId: string, result: ProbeResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ eventId, result, resolve, reject });
      if (this.queue.length >= this.maxBatch) this.kick();
      else if (!this.timer) this.timer = setTimeout(() => this.kick(), this.lingerMs);
    });
  }

  /** Sends whatever is pending (shutdown). */
  async flush(): Promise<void> {
    this.kick();
    await this.flushing;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue.splice(0, this.queue.length);
    if (batch.length === 0) return;
    this.flushing = this.flushing.then(() => this.send(batch));
  }

  private async send(all: Pending[]): Promise<void> {
    let batch = all;
    try {
      const seed = String(Date.now() * 1000);
      const pipeline = this.redis.pipeline();
      for (const p of batch)
        pipeline.eval(NEXT_SEQUENCE, 1, this.keys.sequence(p.result.integrationId), seed);
      const replies = (await pipeline.exec()) ?? [];
      const sendable: Pending[] = [];
      const messages = [];
      for (const [i, p] of batch.entries()) {
        const [err, seq] = replies[i] ?? [new Error("no sequence reply"), null];
        // A result that does not match the contract fails its own job only, never its batch-mates.
        const event = err
          ? null
          : IntegrationProbeCompleted.safeParse(
              cloudEvent({
                id: p.eventId,
                type: "integration.probe_completed",
                source: EVENT_SOURCES.probeWorker,
                subject: p.result.integrationId,
                tenantId: p.result.tenantId,
                sequence: Number(seq),
                data: p.result,
              }),
            );
        if (!event?.success) {
          p.reject(err ?? new Error(`probe result does not match the contract: ${event?.error.message}`));
          continue;
        }
        sendable.push(p);
        messages.push({ key: p.result.integrationId, value: event.data });
      }
      batch = sendable;
      await this.producer.send(this.topic, messages);
      for (const p of batch) p.resolve();
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
