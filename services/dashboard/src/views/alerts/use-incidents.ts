import type { IncidentView } from "@hip/contracts";
import { useEffect, useRef } from "react";
import { fetchUnresolvedIncidentFor, fetchUnresolvedIncidents } from "../../lib/alerts-api.ts";
import { useLiveEvents } from "../../lib/live.tsx";
import { type AsyncState, useAsync } from "../../lib/use-async.ts";

/**
 * Reloads `reload` when an integration's status changes. The alert service opens and resolves incidents from
 * the same Kafka event the stream carries, a moment later and with no stream event of its own: so one reload
 * shortly after the change and a second a few seconds later, plus a slow poll for acks by other users.
 */
export function useIncidentRefresh(reload: () => void, pollMs = 30_000): void {
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  useLiveEvents((e) => {
    if (e.type !== "status" && e.type !== "reset" && !(e.type === "integration" && e.action === "deleted"))
      return;
    for (const t of timers.current) clearTimeout(t);
    timers.current = [setTimeout(reload, 1500), setTimeout(reload, 6000)];
  });
  useEffect(() => {
    const poll = setInterval(reload, pollMs);
    return () => {
      clearInterval(poll);
      for (const t of timers.current) clearTimeout(t);
    };
  }, [reload, pollMs]);
}

/** Unresolved incidents by integration id; an unreachable alert service means no badges, never a broken list. */
export function useUnresolvedIncidents(): AsyncState<Map<string, IncidentView>> {
  const state = useAsync(
    (signal) => fetchUnresolvedIncidents(signal).catch(() => new Map<string, IncidentView>()),
    [],
  );
  useIncidentRefresh(state.reload);
  return state;
}

export function useUnresolvedIncidentFor(integrationId: string): AsyncState<IncidentView | null> {
  const state = useAsync(
    (signal) => fetchUnresolvedIncidentFor(integrationId, signal).catch(() => null),
    [integrationId],
  );
  useIncidentRefresh(state.reload);
  return state;
}
