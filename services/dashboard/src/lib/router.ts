import { useEffect, useRef, useSyncExternalStore } from "react";

/** A tiny history router: the app has ten routes, a dependency would be heavier than this. */
export const BASE = "/dashboard/integration";

export type Route =
  | { name: "overview" }
  | { name: "list" }
  | { name: "create" }
  | { name: "detail"; id: string }
  | { name: "edit"; id: string }
  | { name: "incidents" }
  | { name: "incident"; id: string }
  | { name: "channels" }
  | { name: "policies" }
  | { name: "signin" }
  | { name: "notfound" };

export function parseRoute(pathname: string): Route {
  let path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  path = path.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "overview" };
  if (path === "/sign-in") return { name: "signin" };
  if (path === "/integrations") return { name: "list" };
  if (path === "/integrations/new") return { name: "create" };
  if (path === "/incidents") return { name: "incidents" };
  if (path === "/channels") return { name: "channels" };
  if (path === "/policies") return { name: "policies" };
  // The alert service links here (ALERT_DASHBOARD_URL + /incidents/<id>) from every notification.
  const incident = /^\/incidents\/([^/]+)$/.exec(path);
  if (incident?.[1]) return { name: "incident", id: decodeURIComponent(incident[1]) };
  const edit = /^\/integrations\/([^/]+)\/edit$/.exec(path);
  if (edit?.[1]) return { name: "edit", id: decodeURIComponent(edit[1]) };
  const detail = /^\/integrations\/([^/]+)$/.exec(path);
  if (detail?.[1]) return { name: "detail", id: decodeURIComponent(detail[1]) };
  return { name: "notfound" };
}

export function href(route: Route): string {
  switch (route.name) {
    case "overview":
      return `${BASE}/`;
    case "list":
      return `${BASE}/integrations`;
    case "create":
      return `${BASE}/integrations/new`;
    case "detail":
      return `${BASE}/integrations/${encodeURIComponent(route.id)}`;
    case "edit":
      return `${BASE}/integrations/${encodeURIComponent(route.id)}/edit`;
    case "incidents":
      return `${BASE}/incidents`;
    case "incident":
      return `${BASE}/incidents/${encodeURIComponent(route.id)}`;
    case "channels":
      return `${BASE}/channels`;
    case "policies":
      return `${BASE}/policies`;
    case "signin":
      return `${BASE}/sign-in`;
    case "notfound":
      return `${BASE}/`;
  }
}

const listeners = new Set<() => void>();
function emit() {
  for (const l of listeners) l();
}
function subscribe(fn: () => void) {
  listeners.add(fn);
  window.addEventListener("popstate", fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener("popstate", fn);
  };
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  emit();
  window.scrollTo({ top: 0 });
}

export function useLocation(): { pathname: string; search: string } {
  const pathname = useSyncExternalStore(subscribe, () => window.location.pathname);
  const search = useSyncExternalStore(subscribe, () => window.location.search);
  return { pathname, search };
}

export function useRoute(): Route {
  return parseRoute(useLocation().pathname);
}

/**
 * Moves keyboard focus to the page heading after each in-app navigation, so screen readers announce the new view.
 * Not on the first load: there the browser's own order applies and the first Tab reaches the skip link.
 */
export function useFocusHeadingOnRoute(key: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    // Lazy views and loading states render their heading a little later: look for it for up to 2 s.
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const focusHeading = () => {
      const h = document.querySelector<HTMLElement>("main h1");
      if (h) {
        h.setAttribute("tabindex", "-1");
        h.focus({ preventScroll: true });
      } else if (tries++ < 40) timer = setTimeout(focusHeading, 50);
    };
    focusHeading();
    return () => clearTimeout(timer);
  }, [key]);
}

/** Intercepts plain left clicks on internal links (keeps ctrl/cmd-click "open in new tab"). */
export function linkClick(to: string) {
  return (e: React.MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
}
