import type { FastifyInstance } from "fastify";

/** One registered route and whether it installed an `onRequest` hook (where the auth guards go). */
export interface RouteEntry {
  method: string;
  url: string;
  guarded: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route registered after buildServiceApp, for the per-service "every route authenticates" test. */
    routeInventory: RouteEntry[];
  }
}

/** Records every route as it is registered (buildServiceApp installs it first, so child plugins are covered). */
export function trackRoutes(app: FastifyInstance): void {
  const routes: RouteEntry[] = [];
  app.decorate("routeInventory", routes);
  app.addHook("onRoute", (r) => {
    for (const method of [r.method].flat()) {
      if (method === "HEAD") continue;
      routes.push({
        method,
        url: r.url,
        guarded: r.onRequest !== undefined && [r.onRequest].flat().length > 0,
      });
    }
  });
}

/** Paths every service serves without a token: liveness, readiness (and its details), scrape, API docs. */
export const PUBLIC_PATHS = /^\/(health|ready|metrics|health\/details)$|^\/docs(\/|$)/;

/**
 * Calls every non-public route without a token and with input that is wrong every way (each path parameter
 * "x%00", a junk query, a body that is not JSON) and returns each route that did NOT answer 401: a guard missing,
 * or validation running before authentication. Empty = every route authenticates first.
 */
export async function routesNotAuthenticatingFirst(
  app: FastifyInstance,
  opts: { public?: RegExp } = {},
): Promise<{ method: string; url: string; status: number }[]> {
  const isPublic = opts.public ?? PUBLIC_PATHS;
  const bad: { method: string; url: string; status: number }[] = [];
  for (const r of app.routeInventory) {
    if (isPublic.test(r.url) || r.url === "*") continue;
    const path = r.url.replace(/:[A-Za-z0-9_]+/g, "x%00").replace(/\*$/, "x");
    const res = await app.inject({
      method: r.method as "GET",
      url: `${path}?limit=-1&cursor=%00&bogus=1`,
      headers: { "content-type": "application/json" },
      ...(r.method === "GET" || r.method === "DELETE" ? {} : { payload: "{not json" }),
    });
    if (res.statusCode !== 401) bad.push({ method: r.method, url: r.url, status: res.statusCode });
  }
  return bad;
}
