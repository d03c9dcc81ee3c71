import { createHash } from "node:crypto";

/** Namespace of the probe worker's name-based event ids (a fixed random UUID). */
const NAMESPACE = Buffer.from("5f0c8a64c1d94a3fa7b2e0b6a9d1c317", "hex");

/**
 * RFC 9562 UUIDv5 (SHA-1, name-based): the same name always yields the same id, so a retried job republishes
 * its event under the same id and consumers dedupe it.
 */
export function uuidV5(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  const b = hash.subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The probe_completed event id of a manual connection test: one test, one event id. */
export const manualProbeEventId = (testId: string): string => uuidV5(`probe-completed:test:${testId}`);

/** The event id of a scheduled check: one scheduler slot, one event id, whichever worker or attempt runs it. */
export const scheduledProbeEventId = (schedulerKey: string, scheduledAtMs: number): string =>
  uuidV5(`probe-completed:scheduled:${schedulerKey}:${scheduledAtMs}`);
