import type { Producer } from "kafkajs";

export interface OutgoingMessage {
  /** Partition key: always the integration id for this platform's topics. */
  key: string;
  value: unknown;
  headers?: Record<string, string>;
}

/** acks=all, one in-flight request per connection: retries never reorder; duplicates are dropped by event id downstream. */
export class EventProducer {
  private readonly producer: Producer;

  constructor(producer: Producer) {
    this.producer = producer;
  }

  async send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({
      topic,
      acks: -1,
      messages: messages.map((m) => ({
        key: m.key,
        value: JSON.stringify(m.value),
        headers: { "content-type": "application/cloudevents+json", ...(m.headers ?? {}) },
      })),
    });
  }

  /** Several topics in one request; each message keeps its key's partition order. */
  async sendBatch(batches: Array<{ topic: string; messages: OutgoingMessage[] }>): Promise<void> {
    const topicMessages = batches
      .filter((b) => b.messages.length > 0)
      .map((b) => ({
        topic: b.topic,
        messages: b.messages.map((m) => ({
          key: m.key,
          value: JSON.stringify(m.value),
          headers: { "content-type": "application/cloudevents+json", ...(m.headers ?? {}) },
        })),
      }));
    if (topicMessages.length === 0) return;
    await this.producer.sendBatch({ acks: -1, topicMessages });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
