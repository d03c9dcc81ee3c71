import type { IncidentView } from "@hip/contracts";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useRef } from "react";
import { fetchUnresolvedIncidents } from "../../lib/alerts-api.ts";
import { useLiveEvents } from "../../lib/live.tsx";
import { useAsync } from "../../lib/use-async.ts";

/**
 * Reloads `reload` after integration status changes. The alert service opens and resolves incidents from the same
 * Kafka event the stream carries, a moment later and with no stream event of its own: so one reload shortly after
 * a change and a second a few seconds later (changes arriving meanwhile ride on those), plus a slow poll for acks
 * by other users and deliveries.
 */
export function useIncidentRefresh(reload: () => void, pollMs = 30_000): void {
  const timers = useRef<ReturnType<typeof setTimeout>[]>([]);
  useLiveEvents((e) => {
    if (e.type !== "status" && e.type !== "reset" && !(e.type === "integration" && e.action === "deleted"))
      return;
    if (timers.current.length > 0) return;
    timers.current = [
      setTimeout(reload, 1500),
      setTimeout(() => {
        timers.current = [];
        reload();
      }, 6000),
    ];
  });
  useEffect(() => {
    const poll = setInterval(reload, pollMs);
    return () => {
      clearInterval(poll);
      for (const t of timers.current) clearTimeout(t);
      timers.current = [];
    };
  }, [reload, pollMs]);
}

export interface UnresolvedIncidents {
  /** Unresolved incidents by integration id; null until the first answer. */
  byIntegration: Map<string, IncidentView> | null;
  reload: () => void;
}

const Context = createContext<UnresolvedIncidents>({ byIntegration: null, reload: () => {} });

/**
 * One shared read of the tenant's unresolved incidents for the badges (list rows, detail header, navigation
 * count). An unreachable alert service means no badges, never a broken page.
 */
export function UnresolvedIncidentsProvider({ children }: { children: ReactNode }) {
  const state = useAsync(
    (signal) => fetchUnresolvedIncidents(signal).catch(() => new Map<string, IncidentView>()),
    [],
  );
  useIncidentRefresh(state.reload);
  const value = useMemo(
    () => ({ byIntegration: state.data, reload: state.reload }),
    [state.data, state.reload],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useUnresolvedIncidents(): UnresolvedIncidents {
  return useContext(Context);
}
