import { createSign, generateKeyPairSync } from "node:crypto";
import { signHs256 } from "@hip/service-kit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API,
  type ErrorBody,
  labBody,
  serviceToken,
  startService,
  type TestService,
  TEST_JWT_SECRET,
  token,
} from "./support.ts";

let svc: TestService;
let id: string;
let testId: string;
const adminT1 = token("t1");

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  svc = await startService();
  const res = await svc.request("POST", `${API}/configs`, { token: adminT1, body: labBody() });
  id = (res.body as { id: string }).id;
  const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
  await db.connect();
  // A test row written directly, so tests/:testId has something to hide from other tenants.
  const r = await db.query<{ id: string }>(
    `insert into config.connection_tests (id, tenant_id, integration_id, status, requested_by, requested_at)
     values (gen_random_uuid(), 't1', $1, 'PENDING', 'x', now()) returning id`,
    [id],
  );
  testId = r.rows[0]?.id ?? "";
  await db.end();
});
afterAll(async () => {
  await svc?.close();
});

describe("401: no, malformed, badly signed, expired, alg none, wrong key", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rs256 = () => {
    const head = `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ sub: "x", tenantId: "t1", roles: ["admin"], exp: now() + 60 })}`;
    return `${head}.${createSign("RSA-SHA256").update(head).sign(privateKey).toString("base64url")}`;
  };
  const tokens: Array<[string, string | null]> = [
    ["none", null],
    ["malformed", "not.a.jwt"],
    [
      "bad signature",
      signHs256({ sub: "x", tenantId: "t1", roles: ["admin"] }, "another-secret-0123456789abcdef0123", {
        ttlSeconds: 3600,
      }),
    ],
    [
      "expired",
      signHs256({ sub: "x", tenantId: "t1", roles: ["admin"] }, TEST_JWT_SECRET, { ttlSeconds: -60 }),
    ],
    [
      "alg none",
      `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "x", tenantId: "t1", roles: ["admin"] })}.`,
    ],
    ["wrong key (RS256)", rs256()],
    ["no tenantId", signHs256({ sub: "x", roles: ["admin"] }, TEST_JWT_SECRET, { ttlSeconds: 3600 })],
    [
      "unknown role",
      signHs256({ sub: "x", tenantId: "t1", roles: ["root"] }, TEST_JWT_SECRET, { ttlSeconds: 3600 }),
    ],
  ];
  it.each(tokens)("%s -> 401 envelope", async (_label, t) => {
    for (const [method, url] of [
      ["GET", `${API}/configs`],
      ["POST", `${API}/configs`],
      ["GET", `${API}/configs/${id}`],
      ["GET", "/internal/integrations/schedules"],
      ["POST", "/internal/integrations/connection-specs"],
    ] as const) {
      const res = await svc.request(method, url, {
        token: t,
        ...(method === "POST" ? { body: labBody() } : {}),
      });
      expect(res.status, `${method} ${url}`).toBe(401);
      expect((res.body as ErrorBody).error.code).toBe("UNAUTHORIZED");
    }
  });
});

describe("401 before validation: no token and bad input is a 401, never a 400", () => {
  it.each([
    ["POST", `${API}/configs`, { name: "", type: "NOPE", extra: 1 }],
    ["GET", `${API}/configs?limit=0&sort=bogus`, undefined],
    ["PATCH", `${API}/configs/not-a-uuid`, { timeout: -1 }],
    ["POST", `${API}/configs/not-a-uuid/test`, undefined],
    ["GET", `${API}/configs/not-a-uuid/tests?limit=9999`, undefined],
    ["GET", "/internal/integrations/schedules?limit=-1", undefined],
  ] as const)("%s %s", async (method, url, body) => {
    const res = await svc.request(method, url, body ? { body } : {});
    expect(res.status).toBe(401);
    expect((res.body as ErrorBody).error.code).toBe("UNAUTHORIZED");
  });

  it("answers 401 to a body that is not even JSON", async () => {
    const res = await svc.runtime.app.inject({
      method: "POST",
      url: `${API}/configs`,
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(res.statusCode).toBe(401);
  });
});

describe("403: viewers read but never write", () => {
  const viewer = token("t1", "viewer");
  it("viewer reads", async () => {
    expect((await svc.request("GET", `${API}/configs/${id}`, { token: viewer })).status).toBe(200);
    expect((await svc.request("GET", `${API}/configs/${id}/tests`, { token: viewer })).status).toBe(200);
  });
  it.each([
    ["POST", `${API}/configs`],
    ["PATCH", `${API}/configs/ID`],
    ["DELETE", `${API}/configs/ID`],
    ["POST", `${API}/configs/ID/test`],
    ["GET", `${API}/configs/ID/audit`],
    ["GET", `${API}/configs/export`],
  ] as const)("viewer %s %s -> 403", async (method, url) => {
    const body =
      method === "POST" && url.endsWith("configs")
        ? labBody()
        : method === "PATCH"
          ? { name: "x" }
          : undefined;
    const res = await svc.request(method, url.replace("ID", id), { token: viewer, body });
    expect(res.status).toBe(403);
    expect((res.body as ErrorBody).error.code).toBe("FORBIDDEN");
  });
  it("service tokens cannot use tenant routes", async () => {
    expect((await svc.request("GET", `${API}/configs`, { token: serviceToken() })).status).toBe(403);
  });
});

describe("404: another tenant's id never leaks", () => {
  const other = token("t2");
  it.each([
    ["GET", "/configs/ID"],
    ["PATCH", "/configs/ID"],
    ["DELETE", "/configs/ID"],
    ["POST", "/configs/ID/test"],
    ["GET", "/configs/ID/tests"],
    ["GET", "/configs/ID/tests/TEST"],
    ["GET", "/configs/ID/audit"],
  ] as const)("t2 %s %s -> 404", async (method, path) => {
    const res = await svc.request(method, `${API}${path.replace("ID", id).replace("TEST", testId)}`, {
      token: other,
      ...(method === "PATCH" ? { body: { name: "stolen" } } : {}),
    });
    expect(res.status).toBe(404);
    expect((res.body as ErrorBody).error.code).toBe("NOT_FOUND");
  });
  it("t2 lists none of t1's records; t1's record is unchanged", async () => {
    const list = await svc.request("GET", `${API}/configs`, { token: other });
    expect((list.body as { data: unknown[] }).data).toHaveLength(0);
    // The search side table is outside RLS: its function must still answer for the caller's tenant only.
    const search = await svc.request("GET", `${API}/configs?q=Lab`, { token: other });
    expect((search.body as { data: unknown[] }).data).toHaveLength(0);
    const own = await svc.request("GET", `${API}/configs?q=Lab`, { token: adminT1 });
    expect((own.body as { data: unknown[] }).data).toHaveLength(1);
    const mine = await svc.request("GET", `${API}/configs/${id}`, { token: adminT1 });
    expect((mine.body as { version: number }).version).toBe(1);
  });
});

describe("internal endpoints", () => {
  it("tenant tokens get 404, service tokens get the data", async () => {
    const spec = await svc.request("GET", `/internal/integrations/${id}/connection-spec`, { token: adminT1 });
    expect(spec.status).toBe(404);
    const sched = await svc.request("GET", "/internal/integrations/schedules", { token: adminT1 });
    expect(sched.status).toBe(404);
    const ok = await svc.request("GET", `/internal/integrations/${id}/connection-spec`, {
      token: serviceToken(),
    });
    expect(ok.status).toBe(200);
    expect(ok.headers["cache-control"]).toBe("no-store");
    const list = await svc.request("GET", "/internal/integrations/schedules?limit=1", {
      token: serviceToken(),
    });
    expect(list.status).toBe(200);
    expect((list.body as { data: Array<{ id: string }> }).data[0]?.id).toBe(id);
  });

  it("serves many connection specs in one call: the same specs, missing ids listed, bad ids a 400", async () => {
    const url = "/internal/integrations/connection-specs";
    const absent = "00000000-0000-4000-8000-000000000000";
    expect((await svc.request("POST", url, { token: adminT1, body: { ids: [id] } })).status).toBe(404);
    const one = await svc.request("GET", `/internal/integrations/${id}/connection-spec`, {
      token: serviceToken(),
    });
    const batch = await svc.request("POST", url, { token: serviceToken(), body: { ids: [id, absent, id] } });
    expect(batch.status).toBe(200);
    expect(batch.headers["cache-control"]).toBe("no-store");
    expect(batch.body).toEqual({ data: [one.body], missing: [absent] });
    const bad = await svc.request("POST", url, { token: serviceToken(), body: { ids: [id, "nope"] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("ids.1");
    const tooMany = Array.from({ length: 501 }, () => id);
    expect((await svc.request("POST", url, { token: serviceToken(), body: { ids: tooMany } })).status).toBe(
      400,
    );
    expect((await svc.request("POST", url, { token: serviceToken(), body: { ids: [] } })).status).toBe(400);
  });

  it("pages schedules across all tenants", async () => {
    await svc.request("POST", `${API}/configs`, { token: token("t9"), body: labBody() });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await svc.request(
        "GET",
        `/internal/integrations/schedules?limit=1${cursor ? `&cursor=${cursor}` : ""}`,
        {
          token: serviceToken(),
        },
      );
      const body = res.body as { data: Array<{ tenantId: string }>; nextCursor: string | null };
      seen.push(...body.data.map((d) => d.tenantId));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(["t1", "t9"]);
  });
});

describe("row-level security is a second wall", () => {
  it("hides and refuses other tenants' rows even for a query without a tenant filter", async () => {
    const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query("begin");
      await db.query(
        "select set_config('role', 'hip_config_app', true), set_config('app.tenant_id', 't2', true)",
      );
      const seen = await db.query("select id from config.integrations where id = $1", [id]);
      expect(seen.rowCount).toBe(0);
      const upd = await db.query("update config.integrations set name = 'x' where id = $1", [id]);
      expect(upd.rowCount).toBe(0);
      await expect(
        db.query(
          `insert into config.audit_log (tenant_id, entity_id, action, actor) values ('t1', $1, 'update', 'evil')`,
          [id],
        ),
      ).rejects.toThrow(/row-level security/);
      await db.query("rollback");
      await db.query("begin");
      await db.query("select set_config('role', 'hip_config_app', true)");
      expect((await db.query("select id from config.integrations")).rowCount).toBe(0);
      await db.query("rollback");
    } finally {
      await db.end();
    }
  });

  it("keeps the audit log append-only", async () => {
    const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await db.connect();
    try {
      await expect(db.query("update config.audit_log set actor = 'x'")).rejects.toThrow(/append-only/);
      await expect(db.query("delete from config.audit_log")).rejects.toThrow(/append-only/);
    } finally {
      await db.end();
    }
  });
});

describe("rate limiting (Redis store, per tenant)", () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startService({ RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_MS: "60000" });
  });
  afterAll(async () => {
    await limited?.close();
  });
  it("answers 429 with Retry-After in the envelope, per tenant", async () => {
    const a = token("rl-a");
    for (let i = 0; i < 3; i++)
      expect((await limited.request("GET", `${API}/configs`, { token: a })).status).toBe(200);
    const over = await limited.request("GET", `${API}/configs`, { token: a });
    expect(over.status).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
    expect((over.body as ErrorBody).error.code).toBe("RATE_LIMITED");
    // Same tenant, another user: same bucket. Another tenant: its own bucket.
    expect((await limited.request("GET", `${API}/configs`, { token: token("rl-a", "viewer") })).status).toBe(
      429,
    );
    expect((await limited.request("GET", `${API}/configs`, { token: token("rl-b") })).status).toBe(200);
  });

  it("never limits the probe worker's service token (one spec fetch per check)", async () => {
    const svc = serviceToken();
    for (let i = 0; i < 6; i++) {
      const res = await limited.request("GET", "/internal/integrations/schedules", { token: svc });
      expect(res.status).toBe(200);
    }
  });
});
