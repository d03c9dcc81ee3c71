import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "@hip/service-kit";
import { buildApp } from "./app.ts";
import { loadEnv } from "./env.ts";

const SECRET = "test-secret-that-is-long-enough-for-hs256-use";
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  forwardedFor: string | undefined;
  body: string;
}

/** A real HTTP upstream that records what reached it; `/api/integration/stats/stream` answers an SSE stream. */
function upstream(name: string, seen: Seen[], releaseSecond: Promise<void>): Server {
  return createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        forwardedFor: req.headers["x-forwarded-for"] as string | undefined,
        body,
      });
      if (req.url === "/health") return res.end(JSON.stringify({ status: "ok" }));
      if (req.url?.startsWith("/api/integration/stats/stream")) {
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        res.write('id: 1\nevent: reset\ndata: {"type":"reset","reason":"unknown_last_event_id"}\n\n');
        void releaseSecond.then(() => res.end("event: end\ndata: {}\n\n"));
        return;
      }
      res.writeHead(200, { "content-type": "application/json", etag: '"7"' });
      res.end(JSON.stringify({ upstream: name, url: req.url }));
    });
  });
}

const listen = (s: Server) =>
  new Promise<string>((resolve) =>
    s.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );

describe("dashboard server", () => {
  const configSeen: Seen[] = [];
  const statsSeen: Seen[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>((r) => {
    release = r;
  });
  const configUp = upstream("config", configSeen, released);
  const statsUp = upstream("stats", statsSeen, released);
  const alertsSeen: Seen[] = [];
  const alertsUp = upstream("alerts", alertsSeen, released);
  let app: FastifyInstance;
  let base = "";
  const logs: string[] = [];
  let dist = "";

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "dash-dist-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>SPA</title>");
    writeFileSync(join(dist, "assets", "app-abc.js"), "console.log(1)");
    const cfg = loadEnv({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      CONFIG_SERVICE_URL: await listen(configUp),
      STATS_SERVICE_URL: await listen(statsUp),
      ALERT_SERVICE_URL: await listen(alertsUp),
      JWT_SECRET: SECRET,
      DASHBOARD_DIST_DIR: dist,
    });
    // The production logger at info, captured: request lines are checked for tokens below.
    app = await buildApp(
      cfg,
      createLogger({ name: "dashboard-test", level: "info" }, { write: (l: string) => void logs.push(l) }),
    );
    base = await app.listen({ host: "127.0.0.1", port: 0 });
  });

  afterAll(async () => {
    release();
    await app.close();
    configUp.close();
    statsUp.close();
    alertsUp.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it("answers /health and /ready (both upstreams up)", async () => {
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    const ready = await app.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({
      "config-service": "ok",
      "stats-service": "ok",
      "alert-service": "ok",
    });
  });

  it("is not ready when an upstream is down", async () => {
    const cfg = loadEnv({
      NODE_ENV: "test",
      CONFIG_SERVICE_URL: "http://127.0.0.1:1",
      JWT_SECRET: SECRET,
      DASHBOARD_DIST_DIR: dist,
    });
    const down = await buildApp(cfg, createLogger({ name: "t", level: "silent" }));
    const res = await down.inject({ url: "/ready" });
    await down.close();
    expect(res.statusCode).toBe(503);
    expect(res.json().checks["config-service"]).not.toBe("ok");
  });

  it("redirects / to the dashboard and serves the SPA with history fallback and security headers", async () => {
    const root = await app.inject({ url: "/" });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe("/dashboard/integration/");
    const deep = await app.inject({ url: "/dashboard/integration/integrations/123/edit" });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain("<title>SPA</title>");
    expect(deep.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(deep.headers["x-frame-options"]).toBe("DENY");
    const asset = await app.inject({ url: "/dashboard/integration/assets/app-abc.js" });
    expect(asset.body).toBe("console.log(1)");
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect((await app.inject({ url: "/dashboard/integration/assets/missing.js" })).statusCode).toBe(404);
    for (const url of ["/dashboard/integration", "/dashboard/integration/"]) {
      expect((await app.inject({ url })).body).toContain("<title>SPA</title>");
    }
  });

  it("serves files of a rebuild without a restart", async () => {
    writeFileSync(join(dist, "assets", "app-new.js"), "console.log(2)");
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>SPA v2</title>");
    expect((await app.inject({ url: "/dashboard/integration/assets/app-new.js" })).body).toBe(
      "console.log(2)",
    );
    expect((await app.inject({ url: "/dashboard/integration/integrations" })).body).toContain("SPA v2");
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>SPA</title>");
  });

  it("proxies the config API with the Authorization header, body and query unchanged", async () => {
    const res = await fetch(`${base}/api/integration/configs?type=HL7&q=lab`, {
      method: "POST",
      headers: { authorization: "Bearer abc", "content-type": "application/json" },
      body: JSON.stringify({ name: "x" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"7"');
    expect(await res.json()).toEqual({ upstream: "config", url: "/api/integration/configs?type=HL7&q=lab" });
    const hit = configSeen.find((s) => s.url.startsWith("/api/integration/configs"));
    expect(hit).toMatchObject({ method: "POST", authorization: "Bearer abc", body: '{"name":"x"}' });
  });

  it("routes stats paths to the stats service", async () => {
    const res = await fetch(`${base}/api/integration/stats/timeseries?bucket=hour`, {
      headers: { authorization: "Bearer s" },
    });
    expect(await res.json()).toEqual({
      upstream: "stats",
      url: "/api/integration/stats/timeseries?bucket=hour",
    });
    const summary = await fetch(`${base}/api/integration/stats`);
    expect((await summary.json()).upstream).toBe("stats");
    const traffic = await fetch(`${base}/api/integration/traffic`, {
      method: "POST",
      headers: { authorization: "Bearer s", "content-type": "application/json" },
      body: JSON.stringify({ reports: [] }),
    });
    expect(await traffic.json()).toEqual({ upstream: "stats", url: "/api/integration/traffic" });
    expect(configSeen.some((s) => s.url.includes("/traffic"))).toBe(false);
  });

  it("routes alert paths (incidents, channels, policies) to the alert service with the token", async () => {
    const res = await fetch(`${base}/api/integration/alerts/incidents/abc/ack`, {
      method: "POST",
      headers: { authorization: "Bearer alert-tok", "content-type": "application/json" },
      body: JSON.stringify({ note: "on it" }),
    });
    expect(await res.json()).toEqual({
      upstream: "alerts",
      url: "/api/integration/alerts/incidents/abc/ack",
    });
    expect(alertsSeen.at(-1)).toMatchObject({
      method: "POST",
      authorization: "Bearer alert-tok",
      body: '{"note":"on it"}',
    });
    const list = await fetch(`${base}/api/integration/alerts/channels?x=1`);
    expect(await list.json()).toEqual({ upstream: "alerts", url: "/api/integration/alerts/channels?x=1" });
    expect(configSeen.some((s) => s.url.includes("/alerts"))).toBe(false);
  });

  it("streams SSE without buffering: the first event arrives while the upstream keeps the stream open", async () => {
    const res = await fetch(`${base}/api/integration/stats/stream?access_token=tok`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    const first = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("SSE was buffered")), 3000)),
    ]);
    expect(new TextDecoder().decode(first.value)).toContain("event: reset");
    expect(statsSeen.some((s) => s.url === "/api/integration/stats/stream?access_token=tok")).toBe(true);
    release();
    await reader.cancel();
  });

  it("logs no token from the query string of any proxied path (trailing slash, other routes)", async () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig-query-token";
    const stream = await fetch(`${base}/api/integration/stats/stream/?access_token=${jwt}&lastEventId=1`);
    await stream.body?.cancel();
    await fetch(`${base}/api/integration/configs?access_token=${jwt}&q=lab`);
    await fetch(`${base}/api/integration/alerts/incidents?token=${jwt}`);
    const out = logs.join("");
    expect(out).toContain("access_token=[REDACTED]&q=lab");
    expect(out).toContain("incidents?token=[REDACTED]");
    expect(out).not.toContain("sig-query-token");
  });

  it("forwards the client ip it judged, never a client-sent X-Forwarded-For", async () => {
    await fetch(`${base}/api/integration/configs?xff=1`, { headers: { "x-forwarded-for": "6.6.6.6" } });
    await fetch(`${base}/api/integration/alerts/incidents?xff=1`, {
      headers: { "x-forwarded-for": "6.6.6.6" },
    });
    const forwarded = [...configSeen, ...alertsSeen].filter((s) => s.url.endsWith("xff=1"));
    expect(forwarded.map((s) => s.forwardedFor)).toEqual(["127.0.0.1", "127.0.0.1"]);
  });

  it("mints dev tokens signed with JWT_SECRET and validates the request", async () => {
    const res = await app.inject({
      method: "POST",
      url: "/dashboard/dev-token",
      payload: { tenantId: "t1", role: "viewer" },
    });
    expect(res.statusCode).toBe(200);
    const [h, p, sig] = (res.json().token as string).split(".");
    expect(createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")).toBe(sig);
    expect(JSON.parse(Buffer.from(p ?? "", "base64url").toString())).toMatchObject({
      tenantId: "t1",
      roles: ["viewer"],
    });
    const bad = await app.inject({
      method: "POST",
      url: "/dashboard/dev-token",
      payload: { tenantId: "t 1", role: "service" },
    });
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .error.details.map((d: { field: string }) => d.field)
        .sort(),
    ).toEqual(["role", "tenantId"]);
    expect((await app.inject({ url: "/dashboard/integration/runtime-config.json" })).json().devLogin).toBe(
      true,
    );
  });

  it("disables the dev sign-in helper in production and when DASHBOARD_DEV_LOGIN=false", async () => {
    expect(
      loadEnv({
        NODE_ENV: "production",
        DASHBOARD_DEV_LOGIN: "true",
        JWT_SECRET: SECRET,
        METRICS_TOKEN: "m".repeat(24),
      }).DASHBOARD_DEV_LOGIN,
    ).toBe(false);
    const cfg = loadEnv({
      NODE_ENV: "development",
      DASHBOARD_DEV_LOGIN: "false",
      DASHBOARD_DIST_DIR: dist,
    });
    expect(cfg.DASHBOARD_DEV_LOGIN).toBe(false);
    const off = await buildApp(cfg, createLogger({ name: "t", level: "silent" }));
    const res = await off.inject({
      method: "POST",
      url: "/dashboard/dev-token",
      payload: { tenantId: "t1", role: "admin" },
    });
    const rc = await off.inject({ url: "/dashboard/integration/runtime-config.json" });
    await off.close();
    expect(res.statusCode).toBe(404);
    expect(rc.json().devLogin).toBe(false);
  });
});
