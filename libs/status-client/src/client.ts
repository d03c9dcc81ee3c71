import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { hostname } from "node:os";
import { type TopicNames, topicNames } from "@hip/contracts";
import { EventBus, type EventConsumer, type ParsedMessage } from "@hip/events";
import { type Logger, pino } from "pino";
import { z } from "zod";
import { ChangeQueue, type StatusChange } from "./changes.ts";
import { StatusClientError } from "./errors.ts";
import { Guard, type GuardOptions } from "./guard.ts";
import type { IntegrationHealth } from "./health.ts";
import { prefilter } from "./prefilter.ts";
import { readSnapshot, type TokenSource } from "./snapshot.ts";
import { StatusStore } from "./store.ts";

export interface StatusClientOptions {
  /** The using service's name: part of the consumer group and Kafka client id. */
  name: string;
  /** stats-service base URL (serves GET /api/integration/stats/status-snapshot). */
  statsUrl: string;
  /** Bearer token for the snapshot, or a function returning a fresh one (called per page). */
  token: TokenSource;
  /**
   * Exactly one: `{ tenantId }` binds the client to one tenant (tenant or service token); `{ allTenants: true }`
   * follows every tenant and needs a service token.
   */
  scope: { tenantId: string } | { allTenants: true };
  brokers: string[];
  /** KAFKA_TOPIC_PREFIX of the platform (must match the stats-service's). */
  topicPrefix?: string;
  /**
   * Stable id of this process (pod name): the group is `<prefix>status-client.<name>.<instanceId>`. Default: host,
   * pid and a random suffix. Every process needs its own group: each must see every partition.
   */
  instanceId?: string;
  logger?: Logger;
  /** Snapshot page size (default 5000, the server's maximum: fewest requests). */
  pageSize?: number;
  /** Default for `guard(..., { trial })`. */
  trial?: boolean;
  /** Minimum time between two trial calls to one unavailable integration (default 30 s). */
  trialIntervalMs?: number;
  /** How often consumer lag is measured for `staleness()` (default 10 s; 0 = only on `measureLag()`). */
  lagIntervalMs?: number;
  /** `start()` waits until the consumer reached the end offsets seen after the snapshot (default 60 s). */
  catchUpTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface Staleness {
  /** When the client last received a message on a followed topic (any tenant's: it measures the pipe). */
  lastEventAt: Date | null;
  /** CloudEvent `time` of that message. */
  lastEventTime: string | null;
  /** Messages between the client's position and the end of the followed topics, as last measured. */
  lag: number | null;
  lagMeasuredAt: Date | null;
  bootstrappedAt: Date | null;
}

type TopicKey = "config" | "status" | "incident";
const TOPIC_KEYS: TopicKey[] = ["config", "status", "incident"];

/**
 * Raw JSON: `prefilter` decides what to parse. Malformed messages are skipped (the platform's own consumers
 * dead-letter them; N clients must not dead-letter them N times).
 */
const Lenient = z.unknown();

/**
 * Follows integration health for a platform service: snapshot from the stats-service, then the config, status and
 * incident topics from exactly the snapshot's offsets with a consumer group of its own. See docs/status-client.md.
 */
export class StatusClient {
  private readonly opts: StatusClientOptions;
  private readonly logger: Logger;
  private readonly topics: TopicNames;
  private readonly tenantId: string | null;
  private readonly store: StatusStore;
  private readonly guardGate: Guard;
  private readonly emitter = new EventEmitter();
  private readonly queues = new Set<ChangeQueue>();
  /** `${topic}|${partition}` -> next offset to apply. */
  private readonly positions = new Map<string, number>();
  readonly groupId: string;
  private bus: EventBus | null = null;
  private consumer: EventConsumer<typeof Lenient> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private stale: Staleness = {
    lastEventAt: null,
    lastEventTime: null,
    lag: null,
    lagMeasuredAt: null,
    bootstrappedAt: null,
  };
  private skipped = 0;
  /** What the last start() began from: snapshot rows read and the offsets the group was positioned at. */
  bootstrap: {
    snapshotItems: number;
    takenAt: string;
    startOffsets: Record<string, Array<{ partition: number; offset: string }>>;
  } | null = null;

  constructor(opts: StatusClientOptions) {
    this.opts = opts;
    this.logger = opts.logger ?? pino({ level: "silent" });
    this.topics = topicNames(opts.topicPrefix ?? "");
    this.tenantId = "tenantId" in opts.scope ? opts.scope.tenantId : null;
    if ("allTenants" in opts.scope && opts.scope.allTenants !== true) {
      throw new StatusClientError("BAD_OPTIONS", "scope: give { tenantId } or { allTenants: true }");
    }
    this.store = new StatusStore(this.tenantId);
    this.guardGate = new Guard(opts.trialIntervalMs ?? 30_000);
    const instance = opts.instanceId ?? `${hostname()}.${process.pid}.${randomBytes(3).toString("hex")}`;
    this.groupId = `${opts.topicPrefix ?? ""}status-client.${opts.name}.${instance}`;
    this.emitter.setMaxListeners(0);
  }

  /**
   * Bootstraps and follows: reads the snapshot, positions the group at its offsets, starts consuming, and resolves
   * once the consumer reached the topics' end offsets seen right after the snapshot (so `get()` is at least as new
   * as the moment `start()` was called).
   */
  async start(): Promise<void> {
    if (this.bus) throw new StatusClientError("ALREADY_STARTED", "status client is already started");
    if (this.tenantId === null) assertServiceToken(this.opts.token);
    const snapshot = await readSnapshot({
      statsUrl: this.opts.statsUrl,
      token: this.opts.token,
      tenantId: this.tenantId,
      pageSize: this.opts.pageSize ?? 5000,
      topics: this.topics,
      fetchImpl: this.opts.fetch,
      onItem: (item) => this.store.loadSnapshotItem(item),
    });
    const bus = new EventBus({
      brokers: this.opts.brokers,
      clientId: `status-client.${this.opts.name}`,
      logger: this.logger,
    });
    this.bus = bus;
    const target = new Map<string, number>();
    const startOffsets: Record<string, Array<{ partition: number; offset: string }>> = {};
    for (const key of TOPIC_KEYS) {
      const topic = this.topics[key];
      const ends = await bus.topicOffsets(topic);
      const partitions = ends.map((p) => {
        // A partition the snapshot never read starts at its earliest retained offset.
        const offset = snapshot.offsets[key].get(p.partition) ?? Number(p.low);
        this.positions.set(`${topic}|${p.partition}`, offset);
        target.set(`${topic}|${p.partition}`, Number(p.offset));
        return { partition: p.partition, offset: String(offset) };
      });
      startOffsets[topic] = partitions;
    }
    this.bootstrap = { snapshotItems: snapshot.items, takenAt: snapshot.takenAt, startOffsets };
    this.stale.bootstrappedAt = new Date();
    this.consumer = await bus.consumer({
      groupId: this.groupId,
      topics: TOPIC_KEYS.map((k) => this.topics[k]),
      schema: Lenient,
      deadLetterTopic: this.topics.deadLetter,
      fromBeginning: true,
      handleBatch: async (items) => this.onBatch(items),
      onGroupJoin: (assignment) => this.seekToPositions(assignment),
    });
    await this.consumer.start();
    this.logger.info(
      { groupId: this.groupId, snapshotItems: snapshot.items, takenAt: snapshot.takenAt },
      "status client bootstrapped",
    );
    await this.waitUntil(target, this.opts.catchUpTimeoutMs ?? 60_000);
    await this.measureLag();
    const every = this.opts.lagIntervalMs ?? 10_000;
    if (every > 0) {
      this.lagTimer = setInterval(() => {
        this.measureLag().catch((err: unknown) =>
          this.logger.warn({ err }, "status client: lag not measured"),
        );
      }, every);
      this.lagTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagTimer = null;
    for (const q of [...this.queues]) q.close();
    await this.consumer?.stop().catch(() => undefined);
    await this.bus?.close();
    this.consumer = null;
    this.bus = null;
  }

  /** The integration's current health, or undefined if unknown here (never existed, deleted, another tenant's). */
  get(id: string): IntegrationHealth | undefined {
    return this.store.get(id);
  }

  /** Known, not deleted, not ERROR and no unresolved incident. Unknown ids are not available. */
  isAvailable(id: string): boolean {
    return this.store.isAvailable(id);
  }

  list(): IntegrationHealth[] {
    return [...this.store.list()];
  }

  /**
   * Runs `fn` unless the integration is ERROR or has an unresolved incident, in which case it throws
   * IntegrationUnavailableError at once (IntegrationUnknownError for unknown ids) without calling `fn`.
   * With `{ trial: true }` one call at a time is let through as a trial (see GuardOptions).
   */
  guard<T>(id: string, fn: () => Promise<T> | T, opts: GuardOptions = {}): Promise<T> {
    return this.guardGate.run(id, this.store.get(id), fn, opts.trial ?? this.opts.trial ?? false);
  }

  on(event: "change", listener: (change: StatusChange) => void): this {
    this.emitter.on(event, listener);
    return this;
  }

  off(event: "change", listener: (change: StatusChange) => void): this {
    this.emitter.off(event, listener);
    return this;
  }

  /** Every visible change from now on, for `for await`. Ends on stop(), on `signal`, or on overflow (it throws). */
  changes(opts: { signal?: AbortSignal; bufferSize?: number } = {}): AsyncIterableIterator<StatusChange> {
    const q: ChangeQueue = new ChangeQueue(opts.bufferSize ?? 10_000, () => this.queues.delete(q));
    this.queues.add(q);
    opts.signal?.addEventListener("abort", () => q.close(), { once: true });
    if (opts.signal?.aborted) q.close();
    return q;
  }

  /** For a readiness check: started and its consumer running (kafkajs restarts it after retriable crashes). */
  isHealthy(): boolean {
    return this.consumer?.isHealthy() ?? false;
  }

  staleness(): Staleness {
    return { ...this.stale };
  }

  /** Messages this client is behind the end of its topics (summed over partitions), measured now. */
  async measureLag(): Promise<number> {
    const bus = this.bus;
    if (!bus) throw new StatusClientError("NOT_STARTED", "status client is not started");
    let lag = 0;
    for (const key of TOPIC_KEYS) {
      const topic = this.topics[key];
      for (const p of await bus.topicOffsets(topic)) {
        const at = this.positions.get(`${topic}|${p.partition}`) ?? Number(p.low);
        lag += Math.max(0, Number(p.offset) - at);
      }
    }
    this.stale.lag = lag;
    this.stale.lagMeasuredAt = new Date();
    return lag;
  }

  /** Messages that were not platform events (skipped, not dead-lettered). */
  get skippedMessages(): number {
    return this.skipped;
  }

  private readonly inScope = (tenantId: string) => this.store.inScope(tenantId);

  private async onBatch(items: Array<ParsedMessage<z.infer<typeof Lenient>>>): Promise<void> {
    for (const { event: raw, meta } of items) {
      this.positions.set(`${meta.topic}|${meta.partition}`, Number(meta.offset) + 1);
      this.stale.lastEventAt = new Date();
      const time = (raw as { time?: unknown } | null)?.time;
      if (typeof time === "string") this.stale.lastEventTime = time;
      const p = prefilter(raw, this.inScope);
      if (p.kind !== "apply") {
        if (p.kind === "malformed") this.skipped++;
        continue;
      }
      const e = p.event;
      const change = this.store.apply(e);
      if (!change) continue;
      this.guardGate.reset(change.integrationId);
      const c: StatusChange = {
        integrationId: change.integrationId,
        tenantId: e.tenantid,
        before: change.before,
        after: change.after,
        availabilityChanged: (change.before?.available ?? null) !== (change.after?.available ?? null),
        event: { id: e.id, type: e.type, time: e.time },
      };
      for (const q of this.queues) q.push(c);
      try {
        this.emitter.emit("change", c);
      } catch (err) {
        // A listener's bug must not stop the stream (the batch would be retried and the change emitted twice).
        this.logger.error({ err }, "status client: change listener threw");
      }
    }
  }

  /**
   * On every join the group's committed offsets are ignored in favour of what THIS process has applied: the
   * snapshot's offsets at first, then the next unapplied message. A restarted process (memory lost) thus starts at
   * its snapshot, never at a predecessor's commit (a gap), and a rebalance neither skips nor replays.
   */
  private seekToPositions(assignment: Record<string, number[]>): void {
    const consumer = this.consumer;
    if (!consumer) return;
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const at = this.positions.get(`${topic}|${partition}`);
        if (at !== undefined) consumer.seek(topic, partition, String(at));
      }
    }
  }

  private async waitUntil(target: Map<string, number>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const behind = () => [...target].some(([k, end]) => (this.positions.get(k) ?? 0) < end);
    while (behind()) {
      if (Date.now() > deadline) {
        throw new StatusClientError(
          "CATCH_UP_TIMEOUT",
          `status client did not catch up within ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Decodes (does not verify: the server does) the token's claims to refuse an all-tenants client on a tenant token. */
function assertServiceToken(token: TokenSource): void {
  if (typeof token !== "string") return;
  try {
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      roles?: unknown;
      tenantId?: unknown;
    };
    if (Array.isArray(claims.roles) && claims.roles.includes("service") && !claims.tenantId) return;
  } catch {
    // not a JWT: let the server answer
    return;
  }
  throw new StatusClientError("BAD_OPTIONS", "scope { allTenants: true } needs a service token");
}
