/**
 * What @hip/status-client costs per integration. Prints JSON.
 *
 *   node bench/status-client/memory.bench.ts                     # in-process: 100,000 integrations
 *   source scripts/test-env.sh && BENCH_E2E=1 node bench/status-client/memory.bench.ts   # + real bootstrap
 *
 * In-process: snapshot pages (JSON, 1,000 rows each, shaped like the stats-service's answer) are parsed and loaded
 * exactly as the client does (StatusSnapshotPage.parse, StatusStore.loadSnapshotItem); heap is measured after a
 * full GC before and after. Then `BENCH_EVENTS` status_changed / incident events are parsed and applied.
 * With BENCH_E2E=1: the same number of rows are seeded into a real stats-service's snapshot table
 * (generate_series), and a real StatusClient (Kafka, HTTP) bootstraps from it.
 * Knobs: BENCH_INTEGRATIONS (100000), BENCH_TENANTS (200), BENCH_EVENTS (100000), BENCH_PAGE (1000 / 5000 e2e).
 */
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { AnyEvent, StatusSnapshotPage } from "@hip/contracts";
import { prefilter, StatusClient, StatusStore } from "@hip/status-client";
import { events, spec } from "@hip/status-client/testing";

if (typeof globalThis.gc !== "function") {
  // Re-run with --expose-gc: heap figures need a full collection before each reading.
  const r = spawnSync(process.execPath, ["--expose-gc", ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}
const gc = globalThis.gc as () => void;
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const N = Number(process.env.BENCH_INTEGRATIONS ?? 100_000);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 200);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 1000);
const TYPES = ["HL7", "FHIR", "LAB_SYSTEM", "PHARMACY_SYSTEM", "INSURANCE", "API"] as const;

function pageJson(from: number, to: number, ids: string[]): string {
  const data = [];
  for (let i = from; i < to; i++) {
    const incident = i % 100 === 0;
    data.push({
      integrationId: ids[i],
      tenantId: `tenant-${String(i % TENANTS).padStart(4, "0")}`,
      known: true,
      name: `Integration ${i} (${TYPES[i % TYPES.length]})`,
      type: TYPES[i % TYPES.length],
      status: incident ? "ERROR" : "ACTIVE",
      statusSince: new Date(Date.now() - i * 1000).toISOString(),
      sequence: 3 + (i % 7),
      snapshotSequence: 1,
      deleted: false,
      incident: incident
        ? {
            id: randomUUID(),
            state: "open",
            openedAt: new Date().toISOString(),
            acknowledgedAt: null,
            errorCode: "CONNECTION_REFUSED",
          }
        : null,
      incidentSequence: incident ? 1 : null,
    });
  }
  return JSON.stringify({
    data,
    nextCursor: to < N ? ids[to - 1] : null,
    asOf: { takenAt: new Date().toISOString(), topics: [] },
  });
}

function loadStore(
  tenantId: string | null,
  ids: string[],
  n = N,
): { store: StatusStore; ms: number; bytes: number } {
  const store = new StatusStore(tenantId);
  let bytes = 0;
  let ms = 0;
  for (let from = 0; from < n; from += PAGE) {
    const text = pageJson(from, Math.min(n, from + PAGE), ids);
    bytes += Buffer.byteLength(text);
    const t0 = performance.now();
    const page = StatusSnapshotPage.parse(JSON.parse(text));
    for (const item of page.data) store.loadSnapshotItem(item);
    ms += performance.now() - t0;
  }
  return { store, ms, bytes };
}

const out: Record<string, unknown> = { integrations: N, tenants: TENANTS, node: process.version };
// Plain (flat) id strings: crypto.randomUUID() strings carry a large hidden overhead in V8 that would blur the
// figures; real ids arrive through JSON.parse as flat strings like these.
const ids = Array.from(
  { length: N },
  (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
);

// Warm-up (zod schemas compiled, code optimised, string tables grown) so the readings below are the store's only.
for (let w = 0; w < 3; w++) loadStore(null, ids.slice(0, 2000), 2000);

// 1. All tenants (a service following everything).
const h0 = heap();
const all = loadStore(null, ids);
const h1 = heap();
out.allTenants = {
  heapMiB: +((h1 - h0) / 2 ** 20).toFixed(1),
  bytesPerIntegration: Math.round((h1 - h0) / N),
  bootstrapParseMs: Math.round(all.ms),
  snapshotWireMiB: +(all.bytes / 2 ** 20).toFixed(1),
  held: all.store.held,
};

// 2. Events applied to it: parse (zod, as the consumer does) + fold, with change detection.
const specs = ids.slice(0, Math.min(N, EVENTS)).map((id, i) => ({
  ...spec(`tenant-${String(i % TENANTS).padStart(4, "0")}`, `Integration ${i}`),
  id,
}));
const raw = specs.map((s, i) =>
  JSON.stringify(
    i % 10 === 0
      ? events.incident(s, 5, randomUUID(), "open")
      : events.statusChanged(s, 20, "ACTIVE", "ERROR"),
  ),
);
let changes = 0;
const t0 = performance.now();
for (const text of raw) {
  const p = prefilter(JSON.parse(text), () => true); // the client's path: envelope check, then the schema
  if (p.kind === "apply" && all.store.apply(p.event)) changes++;
}
const applyMs = performance.now() - t0;
const applied = raw.length;
raw.length = 0;
specs.length = 0;
const h2 = heap();
out.events = {
  applied,
  changes,
  eventsPerSecond: Math.round(applied / (applyMs / 1000)),
  /** The same store after every integration changed once (10 % with an open incident). */
  heapAfterMiB: +((h2 - h0) / 2 ** 20).toFixed(1),
  bytesPerIntegrationAfter: Math.round((h2 - h0) / N),
};
all.store.apply(events.created(spec("tenant-0000", "keep alive"), 1)); // keep `all` reachable until here

// 2b. Probe results, most of the status topic: ignored on two envelope fields, never schema-parsed.
const probes =
  specs.length > 0
    ? []
    : ids.slice(0, Math.min(N, EVENTS)).map((id, i) => {
        const s = { ...spec(`tenant-${String(i % TENANTS).padStart(4, "0")}`, `Integration ${i}`), id };
        return JSON.stringify(events.probe(s, 1000 + i, i % 20 !== 0));
      });
const t2 = performance.now();
let ignored = 0;
for (const text of probes) if (prefilter(JSON.parse(text), () => true).kind === "ignored") ignored++;
const ignoreMs = performance.now() - t2;
const t3 = performance.now();
for (const text of probes.slice(0, 20_000)) AnyEvent.parse(JSON.parse(text));
const fullMs = ((performance.now() - t3) * probes.length) / Math.min(probes.length, 20_000);
out.probeResults = {
  ignored,
  perSecond: Math.round(probes.length / (ignoreMs / 1000)),
  perSecondIfSchemaParsed: Math.round(probes.length / (fullMs / 1000)),
};
probes.length = 0;

// 3. One tenant's client: rows of other tenants are dropped at load, so they cost nothing. (The server sends a
// tenant-bound client only its tenant's rows; here every row is offered to prove the filter.)
const h3 = heap();
const one = loadStore("tenant-0007", ids);
const h4 = heap();
out.oneTenant = {
  visible: one.store.size,
  heapKiB: Math.round((h4 - h3) / 1024),
};

if (process.env.BENCH_E2E === "1") out.e2e = await endToEnd();
console.log(JSON.stringify(out, null, 2));
process.exit(0);

/** A real stats-service answering from N seeded rows, and a real StatusClient bootstrapping from it. */
async function endToEnd(): Promise<Record<string, unknown>> {
  const { createTestDatabase, getTestStack, runScript, startService, uniqueTopicPrefix } = await import(
    "@hip/testkit"
  );
  const { DEV_JWT_SECRET, signHs256 } = await import("@hip/service-kit");
  const pg = (await import("pg")).default;
  const stack = await getTestStack();
  const db = await createTestDatabase("bench_statusclient");
  const env = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: stack.kafkaBrokers.join(","),
    KAFKA_TOPIC_PREFIX: uniqueTopicPrefix(),
    LOG_LEVEL: "warn",
  };
  await runScript("stats-service", "src/db/migrate.ts", env);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  await pool.query(
    `INSERT INTO stats.status_snapshot (integration_id, tenant_id, known, name, type, status, status_since, sequence,
       snapshot_sequence, deleted)
     SELECT gen_random_uuid(), 'tenant-' || lpad((g % $2)::text, 4, '0'), true, 'Integration ' || g, 'HL7',
       CASE WHEN g % 100 = 0 THEN 'ERROR' ELSE 'ACTIVE' END, now(), 3, 1, false
     FROM generate_series(1, $1) g`,
    [N, TENANTS],
  );
  await pool.end();
  const stats = await startService({ name: "stats-service", env, readyTimeoutMs: 90_000 });
  try {
    const service = signHs256({ sub: "bench", roles: ["service"] }, DEV_JWT_SECRET, { ttlSeconds: 3600 });
    const h5 = heap();
    const client = new StatusClient({
      name: "bench",
      statsUrl: stats.url,
      token: service,
      scope: { allTenants: true },
      brokers: stack.kafkaBrokers,
      topicPrefix: env.KAFKA_TOPIC_PREFIX,
      pageSize: Number(process.env.BENCH_PAGE ?? 5000),
      lagIntervalMs: 0,
    });
    const t1 = performance.now();
    await client.start();
    const startMs = performance.now() - t1;
    const h6 = heap();
    const result = {
      bootstrapMs: Math.round(startMs),
      visible: client.list().length,
      heapMiB: +((h6 - h5) / 2 ** 20).toFixed(1),
      note: "includes the kafkajs client and consumer; topics empty",
    };
    await client.stop();
    return result;
  } finally {
    await stats.stop();
    await db.drop();
  }
}
