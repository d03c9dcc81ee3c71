import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ConfigClient } from "../config-client/config-client.ts";
import { desiredSchedule } from "./desired-schedule.ts";
import type { WorkerKeys } from "./keys.ts";
import type { ApplyResult, ExistingScheduler, ScheduleManager } from "./schedules.ts";

export interface ResyncSummary {
  reason: string;
  listed: number;
  eligible: number;
  upserted: number;
  removed: number;
  unchanged: number;
  stale: number;
  kept: number;
  orphansRemoved: number;
  /** BullMQ job schedulers left from before the check wheel, removed. */
  legacyRemoved: number;
  durationMs: number;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const PARALLEL = 128;

/**
 * Rebuilds the schedules (the check wheel) from the config service, the source of truth: one per eligible integration, none
 * for others (orphans removed). Runs at start-up, every RESYNC_INTERVAL_MS, on demand, and whenever the
 * "synced" marker has vanished (a Redis flush). A Redis lock lets one process at a time run it.
 */
export class ResyncService {
  private readonly client: ConfigClient;
  private readonly schedules: ScheduleManager;
  private readonly redis: Redis;
  private readonly keys: WorkerKeys;
  private readonly logger: Logger;
  private readonly pageSize: number;
  private readonly lockTtlMs: number;
  private readonly onDone: ((summary: ResyncSummary) => void) | undefined;

  constructor(opts: {
    client: ConfigClient;
    schedules: ScheduleManager;
    redis: Redis;
    keys: WorkerKeys;
    logger: Logger;
    pageSize?: number;
    lockTtlMs?: number;
    onDone?: (summary: ResyncSummary) => void;
  }) {
    this.client = opts.client;
    this.schedules = opts.schedules;
    this.redis = opts.redis;
    this.keys = opts.keys;
    this.logger = opts.logger;
    this.pageSize = opts.pageSize ?? 500;
    this.lockTtlMs = opts.lockTtlMs ?? 10 * 60_000;
    this.onDone = opts.onDone;
  }

  /** Runs a resync unless another process holds the lock (then resolves null). */
  async run(reason: string): Promise<ResyncSummary | null> {
    const token = randomUUID();
    const locked = await this.redis.set(this.keys.resyncLock, token, "PX", this.lockTtlMs, "NX");
    if (locked !== "OK") return null;
    try {
      const summary = await this.sync(reason);
      this.logger.info(summary, "schedules resynced");
      this.onDone?.(summary);
      return summary;
    } finally {
      await this.redis.eval(RELEASE, 1, this.keys.resyncLock, token).catch(() => undefined);
    }
  }

  /** Flush detection: the marker is written by every complete resync, so its absence means Redis lost state. */
  async ensureSynced(): Promise<ResyncSummary | null> {
    if ((await this.redis.exists(this.keys.syncedMarker)) === 1) return null;
    this.logger.warn("schedules marker missing (Redis flushed or first start): resyncing");
    return this.run("marker-missing");
  }

  private async sync(reason: string): Promise<ResyncSummary> {
    const startedAt = Date.now();
    const summary: ResyncSummary = {
      reason,
      listed: 0,
      eligible: 0,
      upserted: 0,
      removed: 0,
      unchanged: 0,
      stale: 0,
      kept: 0,
      orphansRemoved: 0,
      legacyRemoved: 0,
      durationMs: 0,
    };
    summary.legacyRemoved = await this.schedules.removeLegacySchedulers();
    const existing = new Map<string, ExistingScheduler>();
    for await (const page of this.schedules.existing())
      for (const s of page) existing.set(s.integrationId, s);

    const listed = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await this.client.listSchedules(cursor, this.pageSize);
      const results = await this.schedules.applySnapshotPage(
        [...new Map(page.data.map((e) => [e.id, e])).values()].map((entry) => ({
          plan: {
            integrationId: entry.id,
            tenantId: entry.tenantId,
            desired: desiredSchedule(entry),
            intervalSeconds: entry.healthCheck.intervalSeconds,
          },
          version: entry.version,
        })),
      );
      for (const r of results) count(summary, r);
      for (const entry of page.data) {
        listed.add(entry.id);
        summary.listed++;
        if (desiredSchedule(entry) === "present") summary.eligible++;
      }
      cursor = page.nextCursor;
    } while (cursor);

    const orphans = [...existing.keys()].filter((id) => !listed.has(id));
    for (let i = 0; i < orphans.length; i += PARALLEL) {
      const removed = await Promise.all(
        orphans.slice(i, i + PARALLEL).map((id) => this.schedules.removeOrphan(id, startedAt)),
      );
      summary.orphansRemoved += removed.filter(Boolean).length;
    }
    await this.redis.set(this.keys.syncedMarker, new Date().toISOString());
    summary.durationMs = Date.now() - startedAt;
    return summary;
  }
}

function count(summary: ResyncSummary, result: ApplyResult): void {
  summary[result === "kept" ? "kept" : result]++;
}
