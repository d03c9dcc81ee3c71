import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import fastifyHttpProxy from "@fastify/http-proxy";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { API_BASE_PATH } from "@hip/contracts";
import { buildServiceApp, hs256Secret } from "@hip/service-kit";
import type { DashboardEnv } from "./env.ts";
import { sessionRoutes } from "./routes/session.routes.ts";

export const BASE_PATH = "/dashboard/integration";
const DEFAULT_DIST = resolve(import.meta.dirname, "../dist");

/** Security headers for every answer. Mantine injects its CSS variables in a style tag, hence 'unsafe-inline'
 * for styles only; scripts are same-origin files. */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

async function upstreamHealthy(baseUrl: string): Promise<void> {
  const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1500) });
  if (!res.ok) throw new Error(`${baseUrl}/health answered ${res.status}`);
}

export async function buildApp(env: DashboardEnv, logger: Logger): Promise<FastifyInstance> {
  const app = buildServiceApp({
    name: "dashboard",
    logger,
    trustedProxies: env.TRUSTED_PROXIES,
    metricsToken: env.METRICS_TOKEN,
    readiness: {
      "config-service": () => upstreamHealthy(env.CONFIG_SERVICE_URL),
      "stats-service": () => upstreamHealthy(env.STATS_SERVICE_URL),
      "alert-service": () => upstreamHealthy(env.ALERT_SERVICE_URL),
    },
  });

  app.addHook("onSend", async (_req, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    if (!reply.hasHeader("content-security-policy")) reply.header("content-security-policy", CSP);
  });

  app.get("/", async (_req, reply) => reply.redirect(`${BASE_PATH}/`, 302));

  // One origin for the browser: stats and traffic routes go to the stats service, alert routes (incidents, channels,
  // policies) to the alert service, everything else under the API base to the config service. Paths are forwarded unchanged (both services serve under API_BASE_PATH). The Authorization
  // header is forwarded as is; reply-from pipes the upstream body, so SSE streams are not buffered.
  // X-Forwarded-For is replaced by the client ip as this server judged it (its own TRUSTED_PROXIES): a browser
  // cannot forge it through the proxy, and the services, with the dashboard in their TRUSTED_PROXIES, see the
  // real client in audit entries and anonymous rate limits.
  const forwardedFor = <H extends object>(req: { ip: string }, headers: H) => ({
    ...headers,
    "x-forwarded-for": req.ip,
  });
  await app.register(fastifyHttpProxy, {
    upstream: env.STATS_SERVICE_URL,
    prefix: `${API_BASE_PATH}/stats`,
    rewritePrefix: `${API_BASE_PATH}/stats`,
    replyOptions: {
      rewriteRequestHeaders: (req, headers) => ({
        ...forwardedFor(req, headers),
        "accept-encoding": "identity",
      }),
    },
    http: { requestOptions: { timeout: 0 } },
  });
  // Traffic reports from interface engines are ingested by the stats service (decision 0310).
  await app.register(fastifyHttpProxy, {
    upstream: env.STATS_SERVICE_URL,
    prefix: `${API_BASE_PATH}/traffic`,
    rewritePrefix: `${API_BASE_PATH}/traffic`,
    replyOptions: { rewriteRequestHeaders: forwardedFor },
    http: { requestOptions: { timeout: 60_000 } },
  });
  await app.register(fastifyHttpProxy, {
    upstream: env.ALERT_SERVICE_URL,
    prefix: `${API_BASE_PATH}/alerts`,
    rewritePrefix: `${API_BASE_PATH}/alerts`,
    replyOptions: { rewriteRequestHeaders: forwardedFor },
    http: { requestOptions: { timeout: 60_000 } },
  });
  await app.register(fastifyHttpProxy, {
    upstream: env.CONFIG_SERVICE_URL,
    prefix: API_BASE_PATH,
    rewritePrefix: API_BASE_PATH,
    replyOptions: { rewriteRequestHeaders: forwardedFor },
    http: { requestOptions: { timeout: 60_000 } },
  });

  // The dashboard verifies no token itself: it only forwards them. Dev sign-in mints them (never in production).
  await app.register(sessionRoutes, {
    prefix: "/dashboard",
    nodeEnv: env.NODE_ENV,
    devLoginSecret: env.DASHBOARD_DEV_LOGIN ? hs256Secret(env) : null,
  });

  await registerSpa(app, env.DASHBOARD_DIST_DIR ?? DEFAULT_DIST);
  return app;
}

/** Serves the built SPA; any other path under the base answers index.html (history-mode routing). */
async function registerSpa(app: FastifyInstance, distDir: string): Promise<void> {
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) {
    app.log.warn({ distDir }, "SPA build not found; run `pnpm --filter @hip/dashboard build`");
    app.get(`${BASE_PATH}/*`, async (_req, reply) =>
      reply
        .status(503)
        .type("text/plain")
        .send("Dashboard not built: run pnpm --filter @hip/dashboard build"),
    );
    return;
  }
  // Read per request (a few hundred bytes, page-cached): a rebuild while running never serves stale asset names.
  const sendIndex = async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .header("cache-control", "no-cache")
      .type("text/html; charset=utf-8")
      .send(await readFile(indexFile, "utf8"));
  app.get(BASE_PATH, sendIndex);
  app.get(`${BASE_PATH}/`, sendIndex);
  await app.register(
    async (spa) => {
      await spa.register(fastifyStatic, {
        root: distDir,
        prefix: "/",
        wildcard: true,
        index: false,
        setHeaders: (reply, path) => {
          // Vite fingerprints everything under assets/: cache forever. Other files must be revalidated.
          reply.header(
            "cache-control",
            path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache",
          );
        },
      });
      // Files that do not exist: a missing asset is a real 404; any other path is a client-side route.
      spa.setNotFoundHandler(async (req, reply) => {
        if (req.method !== "GET" && req.method !== "HEAD") return reply.status(404).send();
        if (req.url.startsWith(`${BASE_PATH}/assets/`)) {
          return reply.status(404).type("text/plain").send("Not found");
        }
        return sendIndex(req, reply);
      });
    },
    { prefix: BASE_PATH },
  );
}
