import type { IntegrationView } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureTopics } from "./kafka-support.ts";
import { API, labBody, startService, type TestService, token } from "./support.ts";

let a: TestService;
let b: TestService;
const admin = token("replicas");

beforeAll(async () => {
  a = await startService({ STATUS_CONSUMER_ENABLED: "false", OUTBOX_BATCH_SIZE: "7" }, { kafka: true });
  b = await startService(
    {
      DATABASE_URL: a.env.DATABASE_URL,
      KAFKA_TOPIC_PREFIX: a.env.KAFKA_TOPIC_PREFIX,
      STATUS_CONSUMER_ENABLED: "false",
      OUTBOX_BATCH_SIZE: "7",
    },
    { kafka: true },
  );
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

describe("two relays on one database", () => {
  it("publish every event once per delivery round and keep per-integration order", async () => {
    const capture = await captureTopics(a.runtime.deps.topics);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const res = await a.request("POST", `${API}/configs`, { token: admin, body: labBody() });
        ids.push((res.body as IntegrationView).id);
      }
      // Concurrent writes through both replicas; both relays wake on every commit.
      await Promise.all(
        ids.map(async (id, n) => {
          for (let i = 0; i < 15; i++) {
            const svc = (i + n) % 2 === 0 ? a : b;
            const res = await svc.request("PATCH", `${API}/configs/${id}`, {
              token: admin,
              body: { description: `v${i}` },
            });
            expect(res.status).toBe(200);
          }
        }),
      );
      const total = ids.length * 16;
      await waitFor(() => new Set(capture.seen.map((s) => s.event.id)).size === total, {
        what: `${total} distinct events`,
        timeoutMs: 30_000,
      });
      for (const id of ids) {
        const seqs: number[] = [];
        const seen = new Set<string>();
        for (const s of capture.seen) {
          if (s.event.subject !== id || seen.has(s.event.id)) continue;
          seen.add(s.event.id);
          seqs.push(s.event.sequence);
        }
        expect(seqs).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
      }
      // No crash happened, so no event should have gone out twice.
      expect(capture.seen.length).toBe(total);
      const db = new pg.Client({ connectionString: a.env.DATABASE_URL });
      await db.connect();
      try {
        const left = await db.query(
          "select count(*)::int as n from config.outbox where published_at is null",
        );
        expect(left.rows[0]?.n).toBe(0);
      } finally {
        await db.end();
      }
    } finally {
      await capture.close();
    }
  });
});
