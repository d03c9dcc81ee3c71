import { randomUUID } from "node:crypto";
import type { StatsStreamEvent } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLiveConsumer } from "../src/consumers/live.consumer.ts";
import type { StreamHub } from "../src/domain/stream/hub.ts";
import { testApp } from "./app-harness.ts";
import {
  databaseHarness,
  ev,
  type Harness,
  type KafkaHarness,
  kafkaHarness,
  type Spec,
  token,
} from "./support.ts";

interface Frame {
  id?: string;
  event?: string;
  data?: StatsStreamEvent;
}

/** A minimal EventSource over fetch: collects parsed frames until aborted. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const frames: Frame[] = [];
  const controller = new AbortController();
  let comments = 0;
  const done = (async () => {
    const res = await fetch(url, { headers, signal: controller.signal });
    if (!res.body) throw new Error(`no body, status ${res.status}`);
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk as Uint8Array, { stream: true });
      let at = buf.indexOf("\n\n");
      while (at >= 0) {
        const block = buf.slice(0, at);
        buf = buf.slice(at + 2);
        const f: Frame = {};
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) comments++;
          else if (line.startsWith("id: ")) f.id = line.slice(4);
          else if (line.startsWith("event: ")) f.event = line.slice(7);
          else if (line.startsWith("data: ")) f.data = JSON.parse(line.slice(6));
        }
        if (f.event) frames.push(f);
        at = buf.indexOf("\n\n");
      }
    }
  })().catch(() => undefined);
  return { frames, heartbeats: () => comments, close: () => controller.abort(), done };
}

describe("GET /stats/stream (SSE over the live consumer)", () => {
  let db: Harness;
  let kafka: KafkaHarness;
  let app: FastifyInstance;
  let hub: StreamHub;
  let base: string;
  const a1: Spec = { id: randomUUID(), tenantId: "tenant-a", name: "HL7", type: "HL7", status: "ACTIVE" };
  const b1: Spec = {
    id: randomUUID(),
    tenantId: "tenant-b",
    name: "Pay",
    type: "PAYMENT_GATEWAY",
    status: "ACTIVE",
  };
  const tokenA = token({ tenantId: "tenant-a", roles: ["viewer"] });
  const tokenB = token({ tenantId: "tenant-b", roles: ["admin"] });

  beforeAll(async () => {
    db = await databaseHarness();
    kafka = await kafkaHarness();
    ({ app, hub } = await testApp(db.pool));
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === "string") throw new Error("no port");
    base = `http://127.0.0.1:${addr.port}/api/integration/stats/stream`;
    const live = await createLiveConsumer({ bus: kafka.bus, hub, topicPrefix: kafka.prefix });
    await live.start();
    // The live group starts at the end of the log: wait until it is assigned and receiving.
    const warm: Spec = { ...a1, id: randomUUID(), tenantId: "warm-up" };
    let seen = false;
    const off = hub.subscribe("warm-up", () => {
      seen = true;
    });
    await waitFor(
      async () => {
        await kafka.publish([ev.probe(warm, 1, { success: true, latencyMs: 1, checkedAt: new Date() })]);
        await new Promise((r) => setTimeout(r, 300));
        return seen;
      },
      { what: "live consumer receiving", timeoutMs: 60_000 },
    );
    off();
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.bus.close();
    await db?.close();
  });

  it("delivers a status change to the right tenant only, resumes from Last-Event-ID, sends heartbeats", async () => {
    const a = openStream(base, { authorization: `Bearer ${tokenA}` });
    const b = openStream(`${base}?access_token=${tokenB}`);
    await new Promise((r) => setTimeout(r, 300));
    const change = ev.statusChanged(a1, 2, "ACTIVE", "ERROR");
    const probe = ev.probe(a1, 1, { success: false, latencyMs: 12, checkedAt: new Date() });
    await kafka.publish([change, probe]);
    await waitFor(() => a.frames.length >= 2, { what: "tenant-a frames" });
    const bEvent = ev.statusChanged(b1, 2, "ACTIVE", "INACTIVE");
    await kafka.publish([bEvent]);
    await waitFor(() => b.frames.length >= 1, { what: "tenant-b frame" });
    await waitFor(() => a.heartbeats() >= 1 && b.heartbeats() >= 1, { what: "heartbeats" });

    const status = a.frames.find((f) => f.event === "status");
    expect(status?.id).toBe(change.id);
    expect(status?.data).toMatchObject({ type: "status", integrationId: a1.id, from: "ACTIVE", to: "ERROR" });
    expect(a.frames.some((f) => f.id === probe.id && f.data?.type === "probe")).toBe(true);
    expect(a.frames.some((f) => f.id === bEvent.id)).toBe(false);
    expect(b.frames.map((f) => f.id)).toEqual([bEvent.id]);

    // Reconnect after the first message: the ones after it are replayed.
    const firstId = a.frames[0]?.id ?? "";
    const resumed = openStream(base, { authorization: `Bearer ${tokenA}`, "last-event-id": firstId });
    await waitFor(() => resumed.frames.length >= 1, { what: "replay" });
    expect(resumed.frames.map((f) => f.id)).toEqual(a.frames.slice(1).map((f) => f.id));

    const unknown = openStream(base, { authorization: `Bearer ${tokenA}`, "last-event-id": randomUUID() });
    await waitFor(() => unknown.frames.length >= 1, { what: "reset" });
    expect(unknown.frames[0]).toMatchObject({ event: "reset", data: { type: "reset" } });

    for (const s of [a, b, resumed, unknown]) s.close();
  });

  it("refuses a stream without a valid token", async () => {
    const res = await fetch(`${base}?access_token=nope`);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });
});
