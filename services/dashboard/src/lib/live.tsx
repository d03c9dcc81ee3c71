import { API_BASE_PATH, StatsStreamEvent } from "@hip/contracts";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from "react";

export type LiveState = "connecting" | "open" | "reconnecting" | "off";
/** What views receive: every stream message except the stream's own end (`reauthenticate`). */
export type LiveEvent = Exclude<StatsStreamEvent, { type: "reauthenticate" }>;
type Handler = (event: LiveEvent) => void;

interface LiveContextValue {
  state: LiveState;
  subscribe: (fn: Handler) => () => void;
}

const LiveContext = createContext<LiveContextValue>({ state: "off", subscribe: () => () => {} });
const EVENT_NAMES = ["status", "probe", "integration", "reset"] as const;

/**
 * One EventSource per signed-in tab on `/stats/stream`. EventSource cannot send headers, so the JWT goes in
 * `?access_token=` (the stats service accepts it on this route only; the dashboard server never logs query strings).
 * The browser reconnects by itself and sends Last-Event-ID; a `reset` tells views to refetch their snapshot. At the
 * token's expiry the server sends `reauthenticate` and ends the stream: reconnecting with the same token would only
 * be refused, so the source is closed until the session brings a new token.
 */
export function LiveProvider({ token, children }: { token: string | null; children: ReactNode }) {
  const [state, setState] = useState<LiveState>("off");
  const handlers = useRef(new Set<Handler>());

  useEffect(() => {
    if (!token) {
      setState("off");
      return;
    }
    setState("connecting");
    const source = new EventSource(`${API_BASE_PATH}/stats/stream?access_token=${encodeURIComponent(token)}`);
    const dispatch = (e: MessageEvent<string>) => {
      let json: unknown;
      try {
        json = JSON.parse(e.data);
      } catch {
        return;
      }
      const parsed = StatsStreamEvent.safeParse(json);
      if (!parsed.success) return;
      const event = parsed.data;
      if (event.type === "reauthenticate") {
        source.close();
        setState("off");
        return;
      }
      for (const h of handlers.current) h(event);
    };
    source.onopen = () => setState("open");
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? "off" : "reconnecting");
    for (const name of [...EVENT_NAMES, "reauthenticate"]) source.addEventListener(name, dispatch);
    source.addEventListener("message", dispatch);
    return () => source.close();
  }, [token]);

  const subscribe = useCallback((fn: Handler) => {
    handlers.current.add(fn);
    return () => {
      handlers.current.delete(fn);
    };
  }, []);
  const value = useMemo(() => ({ state, subscribe }), [state, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLiveState(): LiveState {
  return useContext(LiveContext).state;
}

/** Subscribes `fn` to stream events for the component's lifetime (latest `fn` is always called). */
export function useLiveEvents(fn: Handler): void {
  const { subscribe } = useContext(LiveContext);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  useEffect(() => subscribe((e) => fnRef.current(e)), [subscribe]);
}
