import { PrivateKafka, waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StatusClient } from "../src/client.ts";
import { events, spec } from "../src/testing.ts";
import { createLogger } from "@hip/service-kit";
import { type Platform, startPlatform, token } from "./support.ts";

// The outage makes kafkajs log every failed reconnect: expected here, so not printed.
const quiet = createLogger({ name: "status-client-outage", level: "silent" });

// A broker of this file's own (free ports, temp data dir): the test stops and restarts it. 9092 is never touched.
describe("StatusClient across a Kafka outage (own broker)", () => {
  let broker: PrivateKafka;
  let p: Platform;
  let client: StatusClient;
  const lis = spec("outage-t", "LIS");

  beforeAll(async () => {
    broker = await PrivateKafka.create();
    await broker.start();
    p = await startPlatform({ brokers: broker.brokers });
    await p.publish([events.created(lis, 1)]);
    client = new StatusClient({
      name: "outage",
      statsUrl: p.stats.url,
      token: token({ tenantId: "outage-t", roles: ["viewer"] }),
      scope: { tenantId: "outage-t" },
      brokers: broker.brokers,
      topicPrefix: p.prefix,
      logger: quiet,
      lagIntervalMs: 0,
    });
    await client.start();
  }, 240_000);

  afterAll(async () => {
    await client?.stop();
    await p?.close();
    await broker?.destroy();
  }, 120_000);

  it("keeps answering from memory while the broker is down, then resumes where it was without a gap", async () => {
    expect(client.get(lis.id)).toMatchObject({ status: "ACTIVE", available: true });
    await broker.stop();
    // Last known state, still served; the lag cannot be measured (the staleness a caller would act on).
    expect(client.isAvailable(lis.id)).toBe(true);
    await expect(client.measureLag()).rejects.toThrow();

    await broker.start();
    await p.publish([
      events.statusChanged(lis, 2, "ACTIVE", "ERROR"),
      events.created(spec("outage-t", "PACS"), 1),
    ]);
    // Two topics (status, config), each resumed from where this client was.
    await waitFor(() => client.get(lis.id)?.status === "ERROR" && client.list().length === 2, {
      what: "the changes published after the outage",
      timeoutMs: 120_000,
    });
    await waitFor(async () => (await client.measureLag()) === 0, { what: "caught up", timeoutMs: 60_000 });
    await waitFor(() => client.isHealthy(), { what: "healthy again", timeoutMs: 60_000 });
    expect(client.staleness().lastEventAt).not.toBeNull();
  });
});
