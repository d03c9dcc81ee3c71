import type { IntegrationStatus } from "@hip/contracts";

export interface ScheduleFacts {
  status: IntegrationStatus;
  healthCheck: { enabled: boolean; intervalSeconds: number };
}

/**
 * What the scheduler of an integration should be: "present" for ACTIVE or ERROR with checks enabled (an
 * integration in ERROR is exactly the one that must keep being checked, to notice recovery), "absent" for
 * INACTIVE or disabled checks, "keep" for TESTING, a transient state around a manual test that says nothing
 * about the schedule.
 */
export function desiredSchedule(facts: ScheduleFacts): "present" | "absent" | "keep" {
  if (!facts.healthCheck.enabled) return "absent";
  switch (facts.status) {
    case "ACTIVE":
    case "ERROR":
      return "present";
    case "INACTIVE":
      return "absent";
    case "TESTING":
      return "keep";
  }
}

/** The scheduler's repeat interval, in ms; the contract's minimum is 10 s. */
export const intervalMs = (intervalSeconds: number): number => Math.max(10, intervalSeconds) * 1000;

/**
 * A stable per-integration phase within the interval, so 100,000 schedulers created in one resync do not all
 * fire in the same second: the FNV-1a hash of the id spreads them uniformly, and the same id keeps its slot.
 */
export function scheduleOffsetMs(integrationId: string, every: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < integrationId.length; i++) {
    h ^= integrationId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % every;
}
