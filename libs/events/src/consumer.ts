import type { Consumer, EachBatchPayload, KafkaMessage } from "kafkajs";
import type { Logger } from "pino";
import type { z } from "zod";
import type { EventProducer } from "./producer.ts";

/** Throw from a handler for an event that can never be processed: it goes to the dead-letter topic. */
export class PermanentEventError extends Error {
  override name = "PermanentEventError";
}

export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
}

export interface ParsedMessage<T> {
  event: T;
  meta: MessageMeta;
}

export interface ConsumerOptions<S extends z.ZodType> {
  groupId: string;
  topics: string[];
  schema: S;
  deadLetterTopic: string;
  fromBeginning?: boolean;
  /**
   * Partitions handled at the same time (kafkajs `partitionsConsumedConcurrently`, default 1). Order still holds
   * within a partition, hence per integration; raise it only when handlers for different keys may run together.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Fetch batching (kafkajs `minBytes` / `maxWaitTimeInMs`, defaults 1 byte / 500 ms): the broker answers a fetch
   * once it holds `fetchMinBytes` for this member or after `fetchMaxWaitMs`. A high-volume consumer whose handler
   * costs per batch (a transaction) sets both up: fewer, larger batches for at most `fetchMaxWaitMs` more latency.
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /**
   * Offsets are committed to Kafka at most this often (ms): after a batch or an idle fetch once the interval has
   * passed, and always on stop. 0 commits after every batch (kafkajs' own behaviour). Every handler is idempotent,
   * so a crash re-delivers at most this much more. The bus fills it from `KAFKA_COMMIT_INTERVAL_MS` (decision 0272).
   */
  commitIntervalMs?: number;
  /**
   * false: never commit (a throwaway group that always starts at the live end, such as a per-replica live feed).
   */
  commitOffsets?: boolean;
  /**
   * Handles the parsed events of one fetched batch, in partition order. Must be idempotent: delivery is
   * at-least-once. Throwing retries the same batch with backoff (transient failures); throwing
   * PermanentEventError from `handle` sends that one event to the dead-letter topic.
   */
  handleBatch?: (items: Array<ParsedMessage<z.infer<S>>>) => Promise<void>;
  handle?: (event: z.infer<S>, meta: MessageMeta) => Promise<void>;
  onBatchEnd?: (info: { topic: string; partition: number; lag: number; count: number }) => void;
  onDeadLetter?: (info: { topic: string; reason: string }) => void;
  /**
   * After every join (start and each rebalance), before fetching: the partitions this member now owns. A consumer
   * that keeps its own position (in memory) `seek`s them here.
   */
  onGroupJoin?: (assignment: Record<string, number[]>) => void;
}

const MAX_BACKOFF_MS = 30_000;
/** First and longest wait before this wrapper restarts a consumer that kafkajs left crashed (doubling between). */
const CRASH_RESTART_FIRST_MS = 1_000;
const CRASH_RESTART_MAX_MS = 30_000;

export type ConsumerState =
  | "idle"
  | "connecting"
  | "joined"
  | "rebalancing"
  | "restarting"
  | "crashed"
  | "stopped";

/** A consumer's real state, from kafkajs instrumentation events (for /health/details and /ready). */
export interface ConsumerStatus {
  ok: boolean;
  reason: string | null;
  groupId: string;
  state: ConsumerState;
  /** Partitions this member owns, per topic (empty while not joined). */
  assigned: Record<string, number[]>;
  joinedAt: string | null;
  /** Last completed fetch from the broker (a poll, with or without messages). */
  lastPollAt: string | null;
  lastHeartbeatAt: string | null;
  lastError: string | null;
}

/**
 * A consumer-group member that parses every message with zod. Unparseable messages go to the dead-letter topic
 * (with the reason and their origin in headers) and never block the partition. Offsets are committed only after
 * a batch's events were handled, so a crash replays them (handlers dedupe by event id).
 */
export class EventConsumer<S extends z.ZodType> {
  private running = false;
  private healthy = true;
  private crashed: Error | null = null;
  private state: ConsumerState = "idle";
  private assigned: Record<string, number[]> = {};
  private joinedAt: number | null = null;
  private lastPollAt: number | null = null;
  private lastHeartbeatAt: number | null = null;
  private lastError: string | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private crashRestarts = 0;
  /** A joined member with no completed fetch for this long is not consuming (broker gone, handler stuck). */
  private readonly pollStaleMs: number;

  private readonly consumer: Consumer;
  private readonly dlqProducer: EventProducer;
  private readonly opts: ConsumerOptions<S>;
  private readonly logger: Logger;

  constructor(
    consumer: Consumer,
    dlqProducer: EventProducer,
    opts: ConsumerOptions<S>,
    logger: Logger,
    pollStaleMs = 20_000,
  ) {
    this.consumer = consumer;
    this.dlqProducer = dlqProducer;
    this.opts = opts;
    this.logger = logger;
    this.pollStaleMs = pollStaleMs;
    if (!opts.handle && !opts.handleBatch) throw new Error("consumer needs handle or handleBatch");
    const { events } = consumer;
    const onJoin = opts.onGroupJoin;
    if (onJoin) consumer.on(events.GROUP_JOIN, (e) => onJoin(e.payload.memberAssignment));
    consumer.on(events.CRASH, (e) => {
      this.crashed = e.payload.error;
      this.lastError = e.payload.error.message;
      this.state = e.payload.restart && this.running ? "restarting" : "crashed";
      this.assigned = {};
      logger.error({ err: e.payload.error, restart: e.payload.restart }, "consumer crashed");
      // kafkajs restarts only after errors it deems retriable. Some a broker outage produces are not: a group
      // coordinator lookup while the broker refuses connections ends in KafkaJSGroupCoordinatorNotFound, and the
      // member would stay down for good. A running consumer is restarted here instead, with backoff.
      if (!e.payload.restart && this.running) this.scheduleRestart();
    });
    consumer.on(events.CONNECT, () => {
      if (this.state !== "joined") this.state = "connecting";
    });
    consumer.on(events.GROUP_JOIN, (e) => {
      this.state = "joined";
      this.crashRestarts = 0;
      this.assigned = e.payload.memberAssignment;
      this.joinedAt = Date.now();
      this.lastPollAt ??= Date.now();
      logger.info({ assigned: e.payload.memberAssignment, durationMs: e.payload.duration }, "joined group");
    });
    consumer.on(events.REBALANCING, () => {
      this.state = "rebalancing";
    });
    consumer.on(events.FETCH, () => {
      this.lastPollAt = Date.now();
    });
    consumer.on(events.HEARTBEAT, () => {
      this.lastHeartbeatAt = Date.now();
    });
    consumer.on(events.STOP, () => {
      if (!this.running) this.state = "stopped";
    });
    consumer.on(events.DISCONNECT, () => {
      this.assigned = {};
      if (!this.running) this.state = "stopped";
      else if (this.state !== "crashed") this.state = "restarting";
    });
  }

  async start(): Promise<void> {
    this.state = "connecting";
    await this.consumer.connect();
    for (const topic of this.opts.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: this.opts.fromBeginning ?? true });
    }
    this.running = true;
    await this.run();
  }

  private run(): Promise<void> {
    return this.consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      autoCommit: this.opts.commitOffsets ?? true,
      ...(this.opts.commitIntervalMs ? { autoCommitInterval: this.opts.commitIntervalMs } : {}),
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Restarts a member kafkajs gave up on (it has disconnected it), until it joins again or is stopped. */
  private scheduleRestart(): void {
    if (this.restartTimer || !this.running) return;
    const delayMs = Math.min(CRASH_RESTART_MAX_MS, CRASH_RESTART_FIRST_MS * 2 ** this.crashRestarts);
    this.crashRestarts++;
    this.logger.warn({ delayMs, attempt: this.crashRestarts }, "restarting the crashed consumer");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.running) return;
      this.state = "restarting";
      // The subscriptions outlive the crash; connect and run again. A crash inside run() arrives as a CRASH event
      // (and schedules the next attempt); a failed connect is caught here.
      this.consumer
        .connect()
        .then(() => (this.running ? this.run() : undefined))
        .catch((err: unknown) => {
          this.lastError = err instanceof Error ? err.message : String(err);
          this.state = "crashed";
          this.logger.error({ err }, "consumer restart failed");
          this.scheduleRestart();
        });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.state = "stopped";
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.consumer.disconnect();
  }

  /**
   * Moves this member's position on one owned partition (from `onGroupJoin` or after start()). The next fetch
   * reads from `offset`, and the group's committed offset follows.
   */
  seek(topic: string, partition: number, offset: string): void {
    this.consumer.seek({ topic, partition, offset });
  }

  /** Running, joined to its group, and polling: what /ready requires of a consumer. */
  isHealthy(): boolean {
    return this.status().ok;
  }

  status(): ConsumerStatus {
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    let reason: string | null = null;
    if (!this.running) reason = "not running";
    else if (this.state !== "joined") reason = `group state is ${this.state}`;
    else if (!this.healthy) reason = `handler failing: ${this.lastError ?? "retrying"}`;
    else {
      // A member with partitions must be fetching; one without (more members than partitions) only heartbeats.
      const owns = Object.values(this.assigned).some((p) => p.length > 0);
      const last = owns ? this.lastPollAt : this.lastHeartbeatAt;
      if (last !== null && Date.now() - last > this.pollStaleMs)
        reason = `no ${owns ? "poll" : "heartbeat"} for ${Math.round((Date.now() - last) / 1000)} s`;
    }
    return {
      ok: reason === null,
      reason,
      groupId: this.opts.groupId,
      state: this.state,
      assigned: this.assigned,
      joinedAt: iso(this.joinedAt),
      lastPollAt: iso(this.lastPollAt),
      lastHeartbeatAt: iso(this.lastHeartbeatAt),
      lastError: this.lastError,
    };
  }

  lastCrash(): Error | null {
    return this.crashed;
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload) {
    const good: Array<ParsedMessage<z.infer<S>>> = [];
    for (const message of batch.messages) {
      const meta: MessageMeta = {
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        timestamp: message.timestamp,
      };
      const parsed = this.parse(message);
      if (parsed.ok) good.push({ event: parsed.value, meta });
      else await this.deadLetter(message, meta, parsed.reason);
    }
    if (good.length > 0 && this.opts.handleBatch) {
      const handleBatch = this.opts.handleBatch;
      await this.withRetry(() => handleBatch(good), heartbeat, isRunning);
    } else if (this.opts.handle) {
      const handle = this.opts.handle;
      for (const item of good) {
        if (!isRunning() || isStale()) return;
        // Retry one message at a time, so events before it are not handled again.
        await this.withRetry(
          async () => {
            try {
              await handle(item.event, item.meta);
            } catch (err) {
              if (!(err instanceof PermanentEventError)) throw err;
              const msg = batch.messages.find((m) => m.offset === item.meta.offset);
              if (msg) await this.deadLetter(msg, item.meta, err.message);
            }
          },
          heartbeat,
          isRunning,
        );
        resolveOffset(item.meta.offset);
        // kafkajs sends it only when heartbeatInterval has passed: a long batch keeps the session alive.
        await heartbeat();
      }
    }
    if (!isRunning() || isStale()) return;
    const last = batch.messages.at(-1);
    if (last) resolveOffset(last.offset);
    // kafkajs commits after the batch (at most once per commit interval; never with commitOffsets false).
    await heartbeat();
    this.opts.onBatchEnd?.({
      topic: batch.topic,
      partition: batch.partition,
      lag: Number(batch.offsetLagLow()),
      count: batch.messages.length,
    });
  }

  private parse(message: KafkaMessage): { ok: true; value: z.infer<S> } | { ok: false; reason: string } {
    if (!message.value) return { ok: false, reason: "empty message value" };
    let json: unknown;
    try {
      json = JSON.parse(message.value.toString("utf8"));
    } catch {
      return { ok: false, reason: "value is not JSON" };
    }
    const result = this.opts.schema.safeParse(json);
    if (!result.success) {
      const first = result.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ");
      return { ok: false, reason: `schema: ${first}` };
    }
    return { ok: true, value: result.data };
  }

  private async deadLetter(message: KafkaMessage, meta: MessageMeta, reason: string): Promise<void> {
    this.logger.warn(
      { topic: meta.topic, partition: meta.partition, offset: meta.offset, reason },
      "dead-lettering message",
    );
    this.opts.onDeadLetter?.({ topic: meta.topic, reason });
    await this.withRetry(
      () =>
        this.dlqProducer.send(this.opts.deadLetterTopic, [
          {
            key: meta.key ?? "",
            value: message.value ? safeJson(message.value.toString("utf8")) : null,
            headers: {
              "x-dlq-reason": reason.slice(0, 500),
              "x-dlq-topic": meta.topic,
              "x-dlq-partition": String(meta.partition),
              "x-dlq-offset": meta.offset,
              "x-dlq-group": this.opts.groupId,
            },
          },
        ]),
      async () => {},
      () => this.running,
    );
  }

  /** Retries transient failures with capped exponential backoff while the consumer runs. */
  private async withRetry(fn: () => Promise<void>, heartbeat: () => Promise<void>, isRunning: () => boolean) {
    let delay = 200;
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        this.healthy = true;
        return;
      } catch (err) {
        if (!isRunning()) throw err;
        this.healthy = attempt < 5;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.logger.error({ err, attempt, groupId: this.opts.groupId }, "event handling failed; retrying");
        await new Promise((r) => setTimeout(r, delay));
        await heartbeat().catch(() => undefined);
        delay = Math.min(delay * 2, MAX_BACKOFF_MS);
      }
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 100_000) };
  }
}
