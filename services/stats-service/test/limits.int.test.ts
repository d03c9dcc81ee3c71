import { getTestStack, uniqueRedisPrefix, waitFor } from "@hip/testkit";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testApp } from "./app-harness.ts";
import { databaseHarness, type Harness, token } from "./support.ts";

let db: Harness;
let redis: Redis;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  db = await databaseHarness();
  redis = new Redis((await getTestStack()).redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await redis?.quit();
  await db?.close();
});

async function app(overrides: Record<string, string>) {
  const { app } = await testApp(db.pool, overrides, redis);
  apps.push(app);
  return app;
}

async function listen(a: FastifyInstance): Promise<string> {
  await a.listen({ host: "127.0.0.1", port: 0 });
  const addr = a.server.address();
  if (!addr || typeof addr === "string") throw new Error("no port");
  return `http://127.0.0.1:${addr.port}/api/integration/stats/stream`;
}

/** An SSE client over fetch: the raw text received, whether the server ended the stream. */
function openStream(url: string, bearer: string) {
  const state = { status: 0, text: "", ended: false };
  const controller = new AbortController();
  const done = (async () => {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${bearer}` },
      signal: controller.signal,
    });
    state.status = res.status;
    if (!res.body) return;
    const decoder = new TextDecoder();
    for await (const chunk of res.body) state.text += decoder.decode(chunk as Uint8Array, { stream: true });
    state.ended = true;
  })().catch(() => undefined);
  return { state, close: () => controller.abort(), done };
}

describe("stats API rate limit (Redis-backed, shared by replicas)", () => {
  it("answers 429 RATE_LIMITED with Retry-After once a tenant's window is used up, on any replica", async () => {
    const shared = { RATE_LIMIT_MAX: "3", REDIS_PREFIX: uniqueRedisPrefix() };
    const one = await app(shared);
    const two = await app(shared);
    const viewer = token({ tenantId: "rl-a", roles: ["viewer"] });
    const get = (a: FastifyInstance, bearer = viewer) =>
      a.inject({ url: "/api/integration/stats", headers: { authorization: `Bearer ${bearer}` } });
    const statuses = [(await get(one)).statusCode, (await get(two)).statusCode, (await get(one)).statusCode];
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await get(two);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    // Another tenant has its own window; health checks are never limited.
    expect((await get(one, token({ tenantId: "rl-b", roles: ["viewer"] }))).statusCode).toBe(200);
    expect((await one.inject({ url: "/health" })).statusCode).toBe(200);
  });
});

describe("authentication first", () => {
  it("every route authenticates at onRequest: no token plus bad input is 401", async () => {
    const a = await app({ REDIS_PREFIX: uniqueRedisPrefix() });
    // Every route of the service, enumerated: without a token and with bad input each answers 401.
    const { PUBLIC_PATHS, routesNotAuthenticatingFirst } = await import("@hip/service-kit");
    const inventory = a.routeInventory.filter((r) => !PUBLIC_PATHS.test(r.url));
    expect(inventory.length).toBeGreaterThanOrEqual(5);
    expect(inventory.filter((r) => !r.guarded)).toEqual([]);
    expect(await routesNotAuthenticatingFirst(a)).toEqual([]);
  });
});

describe("SSE stream limits", () => {
  it("caps open streams per tenant with a clear 429, frees the slot when a stream closes", async () => {
    const base = await listen(
      await app({ SSE_MAX_STREAMS_PER_TENANT: "2", REDIS_PREFIX: uniqueRedisPrefix() }),
    );
    const viewer = token({ tenantId: "sse-cap", roles: ["viewer"] });
    const first = openStream(base, viewer);
    const second = openStream(base, viewer);
    await waitFor(() => first.state.status === 200 && second.state.status === 200, { what: "two streams" });
    const third = await fetch(base, { headers: { authorization: `Bearer ${viewer}` } });
    expect(third.status).toBe(429);
    const body = (await third.json()) as { error: { message: string; details: { field: string }[] } };
    expect(body.error.message).toMatch(/already has 2 open streams \(limit 2\)/);
    expect(body.error.details[0]).toMatchObject({ field: "stream", rule: "max_streams_per_tenant" });
    expect(third.headers.get("retry-after")).toBe("30");
    const other = openStream(base, token({ tenantId: "sse-other", roles: ["viewer"] }));
    await waitFor(() => other.state.status === 200, { what: "another tenant's stream" });
    first.close();
    await first.done;
    const again = openStream(base, viewer);
    await waitFor(() => again.state.status === 200, { what: "a freed slot", timeoutMs: 10_000 });
    for (const s of [second, other, again]) s.close();
  });

  it("ends a stream at its token's exp with a reauthenticate event", async () => {
    const base = await listen(await app({ REDIS_PREFIX: uniqueRedisPrefix() }));
    const { signHs256, DEV_JWT_SECRET } = await import("@hip/service-kit");
    const shortLived = signHs256({ sub: "u", tenantId: "sse-exp", roles: ["viewer"] }, DEV_JWT_SECRET, {
      ttlSeconds: 2,
    });
    const stream = openStream(base, shortLived);
    await waitFor(() => stream.state.ended, { what: "the server ending the stream", timeoutMs: 15_000 });
    expect(stream.state.status).toBe(200);
    const frames = stream.state.text.split("\n\n").filter((f) => f.startsWith("event: "));
    expect(frames.at(-1)).toMatch(
      /^event: reauthenticate\ndata: \{"type":"reauthenticate","reason":"token_expired"/,
    );
    // Reconnecting with the expired token is refused.
    const again = await fetch(base, { headers: { authorization: `Bearer ${shortLived}` } });
    expect(again.status).toBe(401);
  });
});
