import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { cloudEvent, EVENT_SOURCES, IntegrationProbeCompleted, type ProbeResult } from "@hip/contracts";
import { type EventProducer, type OutgoingMessage, withDeadline } from "@hip/events";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { WorkerKeys } from "./keys.ts";
import { luaScript } from "./lua.ts";

/**
 * Bounded append of a batch of results to this process's result buffer (a Redis stream), each taking its
 * integration's next sequence in the same step. Sequences are seeded from the clock (microseconds) the first
 * time, so after a Redis flush a new counter still starts above every sequence published before it.
 * KEYS: stream, publisher registry, then the sequence key of each result. ARGV: buffer max, seed, publisher id,
 * now (heartbeat), then per result its event id, Kafka key and event JSON. Returns each result's sequence, 0 for
 * a result refused because the buffer is full.
 */
const BUFFER_RESULTS = `
local room = tonumber(ARGV[1]) - redis.call('XLEN', KEYS[1])
local out = {}
for i = 1, #KEYS - 2 do
  if i > room then
    out[i] = 0
  else
    local k = KEYS[i + 2]
    if redis.call('EXISTS', k) == 0 then redis.call('SET', k, ARGV[2]) end
    local seq = redis.call('INCR', k)
    local a = 4 + (i - 1) * 3
    redis.call('XADD', KEYS[1], '*', 'id', ARGV[a + 1], 'key', ARGV[a + 2], 'seq', seq, 'event', ARGV[a + 3])
    out[i] = seq
  end
end
if room > 0 then redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
return out`;
const bufferResults = luaScript(BUFFER_RESULTS);

/** Takes over a dead publisher's buffer only if nobody else did (lock with a lease). */
const RELEASE_IF_MINE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const DELETE_IF_EMPTY = `
if redis.call('XLEN', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1]) end
return 0`;

/** The buffer is full: the result was not stored, the job fails and BullMQ retries it later. */
export class ResultBufferFullError extends Error {
  override name = "ResultBufferFullError";
}

export interface PublisherMetrics {
  /** A result could not be buffered (buffer full). */
  rejected(): void;
  /** A Kafka send of `count` results finished (`ok`) or failed. */
  sent(outcome: "ok" | "failed", count: number): void;
}

export interface StatusPublisherOptions {
  producer: Pick<EventProducer, "send">;
  redis: Redis;
  keys: WorkerKeys;
  topic: string;
  logger: Logger;
  /** Results this process may hold unpublished (PUBLISH_BUFFER_MAX). */
  maxBuffered: number;
  /** Deadline of one Kafka send (PUBLISH_SEND_TIMEOUT_MS); past it the batch is retried. */
  sendTimeoutMs: number;
  /** Longest wait between retries while Kafka is unreachable (KAFKA_RETRY_MAX_MS). */
  retryMaxMs: number;
  /** A publisher silent for this long is dead: another process drains its buffer (PUBLISH_ORPHAN_MS). */
  orphanAfterMs: number;
  maxBatch?: number;
  lingerMs?: number;
  /**
   * Results finishing within this many ms are appended to the buffer in one Redis call (default 5): one call
   * per result was a write and a read on both ends of the connection for every check (decision 0274).
   */
  bufferLingerMs?: number;
  /** Most results appended in one call (default 200). */
  bufferBatch?: number;
  metrics?: PublisherMetrics;
}

interface PendingAppend {
  eventId: string;
  key: string;
  json: string;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

interface Entry {
  streamId: string;
  message: OutgoingMessage;
}

/**
 * Publishes integration.probe_completed without making a probe wait for Kafka. `publish` appends the finished
 * result to this process's durable buffer in Redis (a stream, bounded) and returns: the job, and its worker slot,
 * are done. A drain loop sends the buffer to Kafka in order, in batches, each send with a deadline, and deletes
 * what Kafka acknowledged; while Kafka is down it retries with a capped backoff and the buffer grows. Event ids
 * are deterministic (decisions/0253), so a batch sent twice (deadline passed but the broker had it, or a crash
 * between send and delete) carries the same ids and consumers dedupe it. A process that dies with a buffer
 * leaves it behind: any other publisher adopts it once its heartbeat is older than `orphanAfterMs`.
 */
export class StatusPublisher {
  readonly publisherId = `${hostname()}-${process.pid}-${randomBytes(4).toString("hex")}`;
  private readonly o: Required<Omit<StatusPublisherOptions, "metrics">> & { metrics?: PublisherMetrics };
  private readonly stream: string;
  private timer: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private kicked = false;
  private stopped = false;
  private full = false;
  private lastHeartbeat = 0;
  private lastOrphanScan = 0;
  private lastSuccessAt: number | null = null;
  private lastError: string | null = null;
  private pending: PendingAppend[] = [];
  private appendTimer: NodeJS.Timeout | null = null;
  private appending: Promise<void> = Promise.resolve();

  constructor(opts: StatusPublisherOptions) {
    // 10 ms: at 1,000+ results/s a Kafka send (and an XRANGE/XDEL pair) per 10 ms instead of per 2 ms; the added
    // latency is invisible next to a probe's own.
    this.o = { maxBatch: 500, lingerMs: 10, bufferLingerMs: 5, bufferBatch: 200, ...opts };
    this.stream = opts.keys.resultBuffer(this.publisherId);
    // Before any call: the runtime's connection is auto-pipelined (see LuaScript.define).
    bufferResults.define(opts.redis);
  }

  private get registryKey() {
    return this.o.keys.publishers;
  }

  /**
   * Stores the result durably (Redis) and returns; Kafka is written later by the drain loop. Throws
   * ResultBufferFullError when this process already holds `maxBuffered` unpublished results.
   */
  async publish(eventId: string, result: ProbeResult, traceparent?: string): Promise<void> {
    const event = IntegrationProbeCompleted.safeParse(
      cloudEvent({
        id: eventId,
        type: "integration.probe_completed",
        source: EVENT_SOURCES.probeWorker,
        subject: result.integrationId,
        tenantId: result.tenantId,
        sequence: 0, // replaced by the buffered sequence when sent
        data: result,
        traceparent,
      }),
    );
    if (!event.success) throw new Error(`probe result does not match the contract: ${event.error.message}`);
    const seq = await this.append(eventId, result.integrationId, JSON.stringify(event.data));
    if (seq === 0) {
      this.o.metrics?.rejected();
      if (!this.full) {
        this.full = true;
        this.o.logger.error(
          { buffered: this.o.maxBuffered, lastError: this.lastError },
          "probe result buffer is full (PUBLISH_BUFFER_MAX): Kafka has not taken results for a while; new results are refused and their jobs fail (BullMQ retries them)",
        );
      }
      throw new ResultBufferFullError(`probe result buffer is full (${this.o.maxBuffered} results)`);
    }
    this.schedule();
  }

  /** Queues one append; the queue goes to Redis in one call after `bufferLingerMs` or at `bufferBatch`. */
  private append(eventId: string, key: string, json: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.pending.push({ eventId, key, json, resolve, reject });
      if (this.pending.length >= this.o.bufferBatch) this.appendPending();
      else this.appendTimer ??= setTimeout(() => this.appendPending(), this.o.bufferLingerMs);
    });
  }

  private appendPending(): Promise<void> {
    if (this.appendTimer) clearTimeout(this.appendTimer);
    this.appendTimer = null;
    const batch = this.pending;
    if (batch.length === 0) return this.appending;
    this.pending = [];
    const args: string[] = [
      String(this.o.maxBuffered),
      String(Date.now() * 1000),
      this.publisherId,
      String(Date.now()),
    ];
    for (const p of batch) args.push(p.eventId, p.key, p.json);
    const call = bufferResults(
      this.o.redis,
      2 + batch.length,
      this.stream,
      this.registryKey,
      ...batch.map((p) => this.o.keys.sequence(p.key)),
      ...args,
    ).then(
      (seqs) => {
        const list = seqs as number[];
        for (const [i, p] of batch.entries()) p.resolve(Number(list[i] ?? 0));
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
    this.appending = call;
    return call;
  }

  /** Starts the drain loop (also drains what a previous run of this process, or a dead one, left). */
  start(): void {
    this.stopped = false;
    this.loop ??= this.run().finally(() => {
      this.loop = null;
    });
  }

  /** Results buffered by this process and not yet acknowledged by Kafka. */
  async backlog(): Promise<number> {
    return this.o.redis.xlen(this.stream);
  }

  /**
   * What /health/details shows about publishing; not ok while results wait and the last send failed, or the
   * buffer is full.
   */
  async health() {
    const backlog = await this.backlog();
    const stuck = backlog > 0 && this.lastError !== null;
    return {
      ok: !stuck && !this.full,
      reason: this.full
        ? "result buffer is full"
        : stuck
          ? `${backlog} results not published: ${this.lastError}`
          : null,
      publisherId: this.publisherId,
      backlog,
      max: this.o.maxBuffered,
      lastSuccessAt: this.lastSuccessAt ? new Date(this.lastSuccessAt).toISOString() : null,
      lastError: this.lastError,
    };
  }

  /**
   * Shutdown: one last attempt to send what is buffered (bounded by the send deadline), then stop. Whatever is
   * left stays in Redis and is handed over at once (heartbeat cleared), so another process adopts it.
   */
  async flush(): Promise<void> {
    // Results handed over before the stop still go into the buffer first.
    await this.appendPending();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.wake?.();
    await this.loop;
    try {
      await this.drainStream(this.stream, 1);
    } catch (err) {
      this.o.logger.warn({ err: errText(err) }, "results left in the buffer for another process to publish");
    }
    const left = await this.backlog().catch(() => 0);
    if (left === 0) {
      // Nothing left: no key of this process stays behind (an empty stream would linger after every restart).
      await this.o.redis.eval(DELETE_IF_EMPTY, 1, this.stream).catch(() => undefined);
      await this.o.redis.hdel(this.registryKey, this.publisherId).catch(() => undefined);
    } else await this.o.redis.hset(this.registryKey, this.publisherId, "0").catch(() => undefined);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kicked = true;
      this.wake?.();
    }, this.o.lingerMs);
  }

  private async run(): Promise<void> {
    let delay = 100;
    while (!this.stopped) {
      try {
        await this.heartbeat();
        this.kicked = false;
        const sent = await this.drainStream(this.stream, Number.POSITIVE_INFINITY);
        await this.adoptOrphans();
        delay = 100;
        if (sent === 0) await this.sleep(1000, true);
      } catch (err) {
        this.lastError = errText(err);
        // Not woken by new results: while Kafka is down the retry pace is the backoff, not the check rate.
        await this.sleep(delay, false);
        delay = Math.min(delay * 2, this.o.retryMaxMs);
      }
    }
  }

  /** Sends a stream's entries in order until it is empty (or `maxBatches` batches); returns how many. */
  private async drainStream(stream: string, maxBatches: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const raw = (await this.o.redis.xrange(stream, "-", "+", "COUNT", this.o.maxBatch)) as Array<
        [string, string[]]
      >;
      const entries = raw.map(toEntry).filter((e): e is Entry => e !== null);
      if (raw.length === 0) break;
      if (entries.length > 0) {
        try {
          await withDeadline(
            this.o.producer.send(
              this.o.topic,
              entries.map((e) => e.message),
            ),
            this.o.sendTimeoutMs,
            "Kafka send of buffered probe results",
          );
        } catch (err) {
          this.o.metrics?.sent("failed", entries.length);
          throw err;
        }
        this.o.metrics?.sent("ok", entries.length);
      }
      await this.o.redis.xdel(stream, ...raw.map(([id]) => id));
      total += raw.length;
      this.lastSuccessAt = Date.now();
      this.lastError = null;
      if (this.full && stream === this.stream) {
        this.full = false;
        this.o.logger.info("probe result buffer accepts results again");
      }
      if (raw.length < this.o.maxBatch) break;
    }
    return total;
  }

  private async heartbeat(): Promise<void> {
    if (Date.now() - this.lastHeartbeat < 1000) return;
    await this.o.redis.hset(this.registryKey, this.publisherId, String(Date.now()));
    this.lastHeartbeat = Date.now();
  }

  /** Drains buffers of publishers whose heartbeat stopped (crashed or shut down with results left). */
  private async adoptOrphans(): Promise<void> {
    if (Date.now() - this.lastOrphanScan < Math.min(5000, this.o.orphanAfterMs)) return;
    this.lastOrphanScan = Date.now();
    const all = await this.o.redis.hgetall(this.registryKey);
    for (const [id, seen] of Object.entries(all)) {
      if (id === this.publisherId || Date.now() - Number(seen) < this.o.orphanAfterMs) continue;
      const lock = this.o.keys.adoptLock(id);
      const got = await this.o.redis.set(lock, this.publisherId, "PX", this.o.orphanAfterMs, "NX");
      if (!got) continue;
      try {
        const stream = this.o.keys.resultBuffer(id);
        const n = await this.drainStream(stream, Number.POSITIVE_INFINITY);
        if ((await this.o.redis.xlen(stream)) === 0) {
          await this.o.redis.del(stream);
          await this.o.redis.hdel(this.registryKey, id);
        }
        if (n > 0) this.o.logger.info({ from: id, results: n }, "published results left by another process");
      } finally {
        await this.o.redis.eval(RELEASE_IF_MINE, 1, lock, this.publisherId).catch(() => undefined);
      }
    }
  }

  /** Waits `ms`; a stop always ends the wait, new results only when `wakeable`. */
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        if (!wakeable && !this.stopped) return;
        this.wake = null;
        done();
      };
      if (this.stopped || (wakeable && this.kicked)) done();
    });
  }
}

function toEntry([streamId, fields]: [string, string[]]): Entry | null {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i] as string, fields[i + 1] as string);
  const key = f.get("key");
  const event = f.get("event");
  const seq = Number(f.get("seq"));
  if (!key || !event || !Number.isFinite(seq)) return null;
  const value = { ...(JSON.parse(event) as Record<string, unknown>), sequence: seq };
  return { streamId, message: { key, value } };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
