/** The probe worker's own Redis keys (BullMQ's live under `<prefix>:<queue>:*`). */
export interface WorkerKeys {
  /** Hash per integration: last applied config-event sequence, record version, when, and whether scheduled. */
  state: (integrationId: string) => string;
  /** Per-integration probe_completed sequence counter. */
  sequence: (integrationId: string) => string;
  /** Set after every complete resync; its absence (e.g. after FLUSHDB) triggers one. */
  syncedMarker: string;
  /** Held by the one process running a resync. */
  resyncLock: string;
  /** Pub/sub channel: integration ids whose cached spec every process must drop. */
  specInvalidation: string;
  /** Marks a connection test as enqueued (dedupe beyond BullMQ's retention of completed jobs). */
  testSeen: (testId: string) => string;
  /** Hash: publisher id -> last heartbeat (ms); a stale entry's result buffer is adopted by another process. */
  publishers: string;
  /** Stream per publisher (process): probe results waiting for Kafka. */
  resultBuffer: (publisherId: string) => string;
  /** Held by the process draining a dead publisher's buffer. */
  adoptLock: (publisherId: string) => string;
}

export function workerKeys(prefix: string): WorkerKeys {
  const base = `${prefix}:probe-worker`;
  return {
    state: (id) => `${base}:state:${id}`,
    sequence: (id) => `${base}:seq:${id}`,
    syncedMarker: `${base}:schedules-synced`,
    resyncLock: `${base}:resync-lock`,
    specInvalidation: `${base}:spec-invalidate`,
    testSeen: (id) => `${base}:test-seen:${id}`,
    publishers: `${base}:publishers`,
    resultBuffer: (id) => `${base}:results:${id}`,
    adoptLock: (id) => `${base}:results-adopt:${id}`,
  };
}
