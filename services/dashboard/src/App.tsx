import { Center, Loader } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { Shell } from "./components/Shell.tsx";
import { onUnauthorized, setApiToken } from "./lib/api.ts";
import { LiveProvider, useLiveEvents } from "./lib/live.tsx";
import { nameOf } from "./lib/names.ts";
import { href, navigate, useFocusHeadingOnRoute, useLocation, useRoute } from "./lib/router.ts";
import { clearSession, loadSession, type Session, saveSession } from "./lib/session.ts";
import { NotFound } from "./views/NotFound.tsx";
import { SignIn } from "./views/SignIn.tsx";
import { UnresolvedIncidentsProvider } from "./views/alerts/use-incidents.tsx";

// Views load on demand: the sign-in page does not pay for the charts.
const Overview = lazy(() => import("./views/overview/Overview.tsx").then((m) => ({ default: m.Overview })));
const IntegrationList = lazy(() =>
  import("./views/list/IntegrationList.tsx").then((m) => ({ default: m.IntegrationList })),
);
const IntegrationDetail = lazy(() =>
  import("./views/detail/IntegrationDetail.tsx").then((m) => ({ default: m.IntegrationDetail })),
);
const IntegrationFormPage = lazy(() =>
  import("./views/form/IntegrationFormPage.tsx").then((m) => ({ default: m.IntegrationFormPage })),
);

// Alerting views (incidents, channels, policies) live in views/alerts/.
const IncidentsView = lazy(() =>
  import("./views/alerts/IncidentsView.tsx").then((m) => ({ default: m.IncidentsView })),
);
const IncidentDetail = lazy(() =>
  import("./views/alerts/IncidentDetail.tsx").then((m) => ({ default: m.IncidentDetail })),
);
const ChannelsView = lazy(() =>
  import("./views/alerts/ChannelsView.tsx").then((m) => ({ default: m.ChannelsView })),
);
const PoliciesView = lazy(() =>
  import("./views/alerts/PoliciesView.tsx").then((m) => ({ default: m.PoliciesView })),
);

export interface RuntimeConfig {
  devLogin: boolean;
}

function initialSession(): Session | null {
  const s = loadSession();
  setApiToken(s?.token ?? null);
  return s;
}

export function App() {
  const [session, setSession] = useState<Session | null>(initialSession);
  const [runtime, setRuntime] = useState<RuntimeConfig | null>(null);

  useEffect(() => {
    fetch("/dashboard/integration/runtime-config.json")
      .then((r) => (r.ok ? (r.json() as Promise<RuntimeConfig>) : { devLogin: false }))
      .then(setRuntime, () => setRuntime({ devLogin: false }));
  }, []);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setApiToken(s.token);
    setSession(s);
    const next = new URLSearchParams(window.location.search).get("next");
    navigate(next?.startsWith("/dashboard/integration") ? next : href({ name: "overview" }), {
      replace: true,
    });
  }, []);

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setApiToken(null);
    setSession(null);
    if (reason)
      notifications.show({ title: "Signed out", message: reason, color: "yellow", autoClose: 6000 });
    navigate(href({ name: "signin" }), { replace: true });
  }, []);

  useEffect(
    () => onUnauthorized(() => signOut("Your session has expired or the token was rejected. Sign in again.")),
    [signOut],
  );

  // Sign out when the token expires, rather than on the next failing request.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const ms = session.expiresAt - Date.now();
    if (ms > 2_147_000_000) return; // beyond setTimeout's range; a 401 will still sign out
    const timer = setTimeout(() => signOut("Your session has expired. Sign in again."), Math.max(ms, 0));
    return () => clearTimeout(timer);
  }, [session, signOut]);

  if (!runtime) {
    return (
      <Center h="100vh" aria-busy="true">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!session) return <SignIn devLogin={runtime.devLogin} onSignIn={signIn} />;
  return (
    <LiveProvider token={session.token}>
      <StatusNotifier />
      <UnresolvedIncidentsProvider>
        <Shell session={session} onSignOut={() => signOut()}>
          <Suspense
            fallback={
              <Center h={200}>
                <Loader aria-label="Loading view" />
              </Center>
            }
          >
            <Routes session={session} />
          </Suspense>
        </Shell>
      </UnresolvedIncidentsProvider>
    </LiveProvider>
  );
}

/** Status changes pushed by the stream become notifications, wherever the user is. */
function StatusNotifier() {
  useLiveEvents((e) => {
    if (e.type !== "status") return;
    if (e.to === "ERROR") {
      notifications.show({
        title: "Integration failing",
        message: `${nameOf(e.integrationId)}: ${e.lastError ?? e.reason}`,
        color: "red",
        autoClose: 5000,
      });
    } else if (e.from === "ERROR" && e.to === "ACTIVE") {
      notifications.show({
        title: "Integration recovered",
        message: `${nameOf(e.integrationId)} is active again`,
        color: "green",
        autoClose: 5000,
      });
    }
  });
  return null;
}

function Routes({ session }: { session: Session }) {
  const route = useRoute();
  const { pathname } = useLocation();
  useFocusHeadingOnRoute(pathname);
  useEffect(() => {
    if (route.name === "signin") navigate(href({ name: "overview" }), { replace: true });
  }, [route.name]);
  switch (route.name) {
    case "overview":
    case "signin":
      return <Overview />;
    case "list":
      return <IntegrationList session={session} />;
    case "create":
      return session.isAdmin ? <IntegrationFormPage mode="create" /> : <NotFound forbidden />;
    case "detail":
      return <IntegrationDetail id={route.id} session={session} />;
    case "edit":
      return session.isAdmin ? <IntegrationFormPage mode="edit" id={route.id} /> : <NotFound forbidden />;
    case "incidents":
      return <IncidentsView session={session} />;
    case "incident":
      return <IncidentDetail id={route.id} session={session} />;
    case "channels":
      return <ChannelsView session={session} />;
    case "policies":
      return <PoliciesView session={session} />;
    case "notfound":
      return <NotFound />;
  }
}
