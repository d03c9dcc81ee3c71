import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import type { ConnectionSpec, IntegrationView } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, labBody, serviceToken, startService, type TestService, TEST_KEYS, token } from "./support.ts";
import { captureTopics } from "./kafka-support.ts";

const run = promisify(execFile);
let svc: TestService;
let capture: Awaited<ReturnType<typeof captureTopics>>;
const admin = token("sec");
const responses: string[] = [];
const ids: string[] = [];

/** Distinct plaintexts: none may appear in the database, Kafka, logs or responses. */
const S = {
  apiKey: "PLAIN-apikey-7f3a9c1e",
  apiSecret: "PLAIN-apisecret-2b8d4e6f",
  password: "PLAIN-password-9c1e7f3a",
  token: "PLAIN-token-4e6f2b8d",
  clientSecret: "PLAIN-clientsecret-1e7f3a9c",
  authHeader: "Bearer PLAIN-header-6f2b8d4e",
  apiKeyHeader: "PLAIN-xapikey-3a9c1e7f",
  xAuthorization: "PLAIN-xauthorization-5c2a7e91",
  xCredential: "PLAIN-xcredential-0d4b8f63",
  rotated: "PLAIN-rotated-8d4e6f2b",
};
const secrets = Object.values(S);

async function call(...args: Parameters<TestService["request"]>) {
  const res = await svc.request(...args);
  responses.push(res.raw);
  return res;
}

beforeAll(async () => {
  svc = await startService({}, { kafka: true });
  capture = await captureTopics(svc.runtime.deps.topics);
  const bodies = [
    labBody({ authType: "API_KEY", apiKey: S.apiKey, apiSecret: S.apiSecret }),
    labBody({ authType: "BASIC_AUTH", username: "svc-user", password: S.password }),
    labBody({
      authType: "TOKEN",
      token: S.token,
      headers: {
        Authorization: S.authHeader,
        "X-Api-Key": S.apiKeyHeader,
        // Secret by the one rule of @hip/contracts (the worker strips both on cross-origin redirects).
        "X-Authorization": S.xAuthorization,
        "X-Credential": S.xCredential,
        "X-Trace": "plain-value",
      },
    }),
    labBody({
      authType: "OAUTH",
      tokenUrl: "https://idp.example/token",
      clientId: "client-1",
      clientSecret: S.clientSecret,
    }),
  ];
  for (const body of bodies) {
    const res = await call("POST", `${API}/configs`, { token: admin, body });
    expect(res.status, res.raw).toBe(201);
    ids.push((res.body as IntegrationView).id);
  }
  const [first, , third] = ids;
  await call("PATCH", `${API}/configs/${first}`, { token: admin, body: { apiKey: S.rotated } });
  await call("PATCH", `${API}/configs/${third}`, { token: admin, body: { description: "touched" } });
  await call("POST", `${API}/configs`, { token: admin, body: labBody({ apiKey: "x".repeat(5000) }) });
  for (const id of ids) {
    await call("GET", `${API}/configs/${id}`, { token: admin });
    await call("GET", `${API}/configs/${id}/audit`, { token: admin });
  }
  await call("GET", `${API}/configs`, { token: admin });
  await call("GET", `${API}/configs/export`, { token: admin });
  await call("DELETE", `${API}/configs/${ids[3]}`, { token: admin });
});
afterAll(async () => {
  await capture?.close();
  await svc?.close();
});

describe("secrets never leave in clear text", () => {
  it("responses show masks and presence flags only", async () => {
    const res = await svc.request("GET", `${API}/configs/${ids[2]}`, { token: admin });
    const view = res.body as IntegrationView;
    expect(view.token).toBe("****2b8d");
    expect(view.headers).toEqual({
      Authorization: "****8d4e",
      "X-Api-Key": "****1e7f",
      "X-Authorization": "****7e91",
      "X-Credential": "****8f63",
      "X-Trace": "plain-value",
    });
    const first = (await svc.request("GET", `${API}/configs/${ids[0]}`, { token: admin }))
      .body as IntegrationView;
    expect(first.apiKey).toBe("****6f2b");
    expect(first.credentialsSet).toMatchObject({ apiKey: true, apiSecret: true, password: false });
    for (const raw of responses) for (const s of secrets) expect(raw).not.toContain(s);
  });

  it("no table of the schema holds a plaintext (full dump scan)", async () => {
    const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await db.connect();
    try {
      const tables = await db.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'config'",
      );
      expect(tables.rows.length).toBeGreaterThanOrEqual(5);
      let dumped = "";
      for (const { table_name } of tables.rows) {
        const rows = await db.query(
          `select t::text as line from config.${pg.escapeIdentifier(table_name)} t`,
        );
        dumped += rows.rows.map((r) => r.line).join("\n");
      }
      expect(dumped).toContain("v1:k1:"); // the ciphertexts are there...
      for (const s of secrets) expect(dumped).not.toContain(s); // ...the plaintexts are not
    } finally {
      await db.end();
    }
  });

  it("no Kafka message carries a secret", async () => {
    await waitFor(() => capture.seen.filter((c) => c.event.type === "integration.deleted").length === 1, {
      what: "delete event",
    });
    expect(capture.seen.length).toBeGreaterThanOrEqual(7);
    for (const c of capture.seen) for (const s of secrets) expect(c.raw).not.toContain(s);
  });

  it("no log line carries a secret (including the internal connection spec)", async () => {
    const spec = await svc.request("GET", `/internal/integrations/${ids[2]}/connection-spec`, {
      token: serviceToken(),
    });
    expect(spec.status).toBe(200);
    expect(svc.logs.length).toBeGreaterThan(10);
    for (const line of svc.logs) for (const s of secrets) expect(line).not.toContain(s);
  });

  it("the internal connection spec is decrypted for the probe worker", async () => {
    const spec = (
      await svc.request("GET", `/internal/integrations/${ids[2]}/connection-spec`, { token: serviceToken() })
    ).body as ConnectionSpec;
    expect(spec).toMatchObject({
      token: S.token,
      headers: {
        Authorization: S.authHeader,
        "X-Api-Key": S.apiKeyHeader,
        "X-Authorization": S.xAuthorization,
        "X-Credential": S.xCredential,
        "X-Trace": "plain-value",
      },
    });
    const first = (
      await svc.request("GET", `/internal/integrations/${ids[0]}/connection-spec`, { token: serviceToken() })
    ).body as ConnectionSpec;
    expect(first).toMatchObject({ apiKey: S.rotated, apiSecret: S.apiSecret });
  });
});

describe("headers stored in plain text before the secret-header rule covered their name", () => {
  it("are masked in the view and left out of the export", async () => {
    const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await db.connect();
    try {
      await db.query(
        `update config.integrations set headers = coalesce(headers, '{}'::jsonb) || $2::jsonb where id = $1`,
        [ids[0], JSON.stringify({ "X-Session-Id": "legacy-session-4242", "X-Trace": "t" })],
      );
    } finally {
      await db.end();
    }
    const view = (await svc.request("GET", `${API}/configs/${ids[0]}`, { token: admin }))
      .body as IntegrationView;
    expect(view.headers).toMatchObject({ "X-Session-Id": "****4242", "X-Trace": "t" });
    const exported = await svc.request("GET", `${API}/configs/export`, { token: admin });
    expect(exported.raw).not.toContain("legacy-session-4242");
    expect(exported.raw).toContain("headers.X-Session-Id");
  });
});

describe("key rotation (rotate-keys command)", () => {
  it("re-encrypts every ciphertext under the newest key, audits it, and is idempotent", async () => {
    const keys = `${TEST_KEYS},k2:${randomBytes(32).toString("base64")}`;
    const env = {
      ...process.env,
      NODE_ENV: "test",
      DATABASE_URL: svc.env.DATABASE_URL,
      CREDENTIALS_KEYS: keys,
    };
    const cwd = new URL("..", import.meta.url).pathname;
    const first = await run(process.execPath, ["src/cli/rotate-keys.ts"], { env, cwd });
    expect(first.stdout).toMatch(/re-encrypted 3 under key k2/);
    const again = await run(process.execPath, ["src/cli/rotate-keys.ts"], { env, cwd });
    expect(again.stdout).toMatch(/re-encrypted 0 under key k2/);

    const db = new pg.Client({ connectionString: svc.env.DATABASE_URL });
    await db.connect();
    try {
      const cts = await db.query<{ ct: string }>(
        `select unnest(array[api_key_enc, api_secret_enc, password_enc, token_enc, client_secret_enc, secret_headers_enc]) as ct
         from config.integrations`,
      );
      const present = cts.rows.map((r) => r.ct).filter(Boolean);
      expect(present.length).toBe(5);
      for (const ct of present) expect(ct.startsWith("v1:k2:")).toBe(true);
      const audits = await db.query(
        "select after from config.audit_log where action = 'credential_rotation'",
      );
      expect(audits.rowCount).toBe(3);
      for (const s of secrets) expect(JSON.stringify(audits.rows)).not.toContain(s);
    } finally {
      await db.end();
    }
    const rotated = await startService({ DATABASE_URL: svc.env.DATABASE_URL, CREDENTIALS_KEYS: keys });
    try {
      const spec = (
        await rotated.request("GET", `/internal/integrations/${ids[2]}/connection-spec`, {
          token: serviceToken(),
        })
      ).body as ConnectionSpec;
      expect(spec.token).toBe(S.token);
    } finally {
      await rotated.close();
    }
  });
});
