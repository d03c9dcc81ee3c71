import type { PgNotifications } from "@hip/outbox";
import type { ConnectionTestRow } from "../../db/schema.ts";
import { TEST_DONE_CHANNEL } from "./request-connection-test.ts";

/**
 * Waits until a test is no longer PENDING or `waitMs` passes. Wakes on the Postgres NOTIFY sent by whichever
 * replica's consumer recorded the result (so it works across replicas) and polls the row as a fallback.
 */
export async function awaitTestResult(args: {
  testId: string;
  waitMs: number;
  notifications: PgNotifications | null;
  load: () => Promise<ConnectionTestRow | undefined>;
  pollMs?: number;
}): Promise<ConnectionTestRow | undefined> {
  const { testId, notifications, load } = args;
  const deadline = Date.now() + args.waitMs;
  let wake: (() => void) | null = null;
  // Set when a NOTIFY lands while we are reading the row, so that wake-up is not lost.
  let notified = false;
  const onDone = (payload: string) => {
    if (payload !== testId) return;
    notified = true;
    wake?.();
  };
  notifications?.on(TEST_DONE_CHANNEL, onDone);
  try {
    for (;;) {
      notified = false;
      const row = await load();
      if (row?.status !== "PENDING") return row;
      const left = deadline - Date.now();
      if (left <= 0) return row;
      if (notified) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, args.pollMs ?? 1000));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    notifications?.off(TEST_DONE_CHANNEL, onDone);
  }
}
