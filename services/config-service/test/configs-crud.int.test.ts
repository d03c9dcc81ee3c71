import type { IntegrationList, IntegrationView } from "@hip/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, type ErrorBody, labBody, startService, type TestService, token } from "./support.ts";

let svc: TestService;
const admin = token("t1");
const viewer = token("t1", "viewer");

beforeAll(async () => {
  svc = await startService({ BODY_LIMIT_BYTES: "4096" });
});
afterAll(async () => {
  await svc?.close();
});

async function create(body: Record<string, unknown> = labBody()): Promise<IntegrationView> {
  const res = await svc.request("POST", `${API}/configs`, { token: admin, body });
  expect(res.status, res.raw).toBe(201);
  return res.body as IntegrationView;
}

describe("CRUD", () => {
  it("creates with defaults, ETag and Location, and reads it back", async () => {
    const res = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ name: "Quest" }),
    });
    expect(res.status).toBe(201);
    const view = res.body as IntegrationView;
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`${API}/configs/${view.id}`);
    expect(view).toMatchObject({
      name: "Quest",
      tenantId: "t1",
      status: "ACTIVE",
      timeout: 30000,
      retryAttempts: 3,
      healthCheck: { enabled: true, intervalSeconds: 300 },
      failureThreshold: 3,
      version: 1,
    });
    const got = await svc.request("GET", `${API}/configs/${view.id}`, { token: viewer });
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.body).toEqual(view);
  });

  it("accepts every seed integration type with a fitting endpoint", async () => {
    const cases: Array<[string, string]> = [
      ["HL7", "mllp://hl7.example.org:2575"],
      ["HL7", "tcp://10.0.0.5:6661"],
      ["FHIR", "https://fhir.example.org/r4"],
      ["PAYMENT_GATEWAY", "https://api.stripe.com"],
      ["IMAGING_SYSTEM", "dicom://pacs.example.org:104"],
      ["IMAGING_SYSTEM", "https://pacs.example.org/dicomweb"],
      ["PHARMACY_SYSTEM", "https://rx.example.org"],
      ["EHR_SYSTEM", "https://epic.example.org"],
      ["INSURANCE", "https://payer.example.org"],
      ["API", "http://api.example.org"],
      ["WEBHOOK", "https://hooks.example.org/in"],
    ];
    for (const [type, endpoint] of cases) await create(labBody({ type, endpoint }));
  });

  it("updates with If-Match, bumps version, refuses a stale version with 412", async () => {
    const view = await create();
    const ok = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { description: "v2", healthCheck: { intervalSeconds: 60 } },
      headers: { "if-match": '"1"' },
    });
    expect(ok.status, ok.raw).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.body).toMatchObject({
      description: "v2",
      version: 2,
      healthCheck: { enabled: true, intervalSeconds: 60 },
    });
    const stale = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { description: "v3" },
      headers: { "if-match": '"1"' },
    });
    expect(stale.status).toBe(412);
    expect((stale.body as ErrorBody).error.code).toBe("PRECONDITION_FAILED");
    const noIfMatch = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { description: "v3" },
    });
    expect(noIfMatch.status).toBe(200);
    expect((noIfMatch.body as IntegrationView).version).toBe(3);
    const bad = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { description: "v4" },
      headers: { "if-match": "nope" },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.details?.[0]).toMatchObject({
      field: "headers.if-match",
      rule: "etag",
    });
  });

  it("does not bump the version for a no-op PATCH and clears optional fields with null", async () => {
    const view = await create();
    const same = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { name: view.name, provider: view.provider },
    });
    expect((same.body as IntegrationView).version).toBe(1);
    const cleared = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { provider: null, description: null },
    });
    expect(cleared.body).toMatchObject({ provider: null, description: null, version: 2 });
  });

  it("a PATCH re-sending a JSON value with its keys in another order changes nothing (jsonb keeps its own order)", async () => {
    const view = await create(
      labBody({ failureWindow: { failures: 2, of: 5 }, config: { zeta: 1, alpha: { b: 2, a: [1, 2] } } }),
    );
    const again = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { failureWindow: { of: 5, failures: 2 }, config: { alpha: { a: [1, 2], b: 2 }, zeta: 1 } },
    });
    expect(again.status).toBe(200);
    expect((again.body as IntegrationView).version).toBe(1);
    const changed = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { config: { alpha: { a: [2, 1], b: 2 }, zeta: 1 } },
    });
    expect((changed.body as IntegrationView).version).toBe(2);
  });

  it("lets admins set ACTIVE/INACTIVE only", async () => {
    const view = await create();
    const off = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { status: "INACTIVE" },
    });
    expect((off.body as IntegrationView).status).toBe("INACTIVE");
    for (const status of ["ERROR", "TESTING"]) {
      const res = await svc.request("PATCH", `${API}/configs/${view.id}`, { token: admin, body: { status } });
      expect(res.status).toBe(400);
      expect((res.body as ErrorBody).error.details?.[0]).toMatchObject({ field: "status", rule: "enum" });
    }
  });

  it("deletes (returns the record), then 404s; the audit trail remains", async () => {
    const view = await create();
    const del = await svc.request("DELETE", `${API}/configs/${view.id}`, { token: admin });
    expect(del.status).toBe(200);
    expect((del.body as IntegrationView).id).toBe(view.id);
    expect((await svc.request("GET", `${API}/configs/${view.id}`, { token: admin })).status).toBe(404);
    expect((await svc.request("DELETE", `${API}/configs/${view.id}`, { token: admin })).status).toBe(404);
    const audit = await svc.request("GET", `${API}/configs/${view.id}/audit`, { token: admin });
    expect(audit.status).toBe(200);
    const actions = (audit.body as { data: Array<{ action: string }> }).data.map((e) => e.action);
    expect(actions).toEqual(["delete", "create"]);
  });

  it("refuses a duplicate name in the tenant with 409 naming the field", async () => {
    await create(labBody({ name: "Unique One" }));
    const res = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ name: "unique one" }),
    });
    expect(res.status).toBe(409);
    expect((res.body as ErrorBody).error.details?.[0]).toMatchObject({ field: "name", rule: "unique" });
    const other = await svc.request("POST", `${API}/configs`, {
      token: token("t2"),
      body: labBody({ name: "Unique One" }),
    });
    expect(other.status).toBe(201);
  });

  it("answers 413 in the envelope for a body over BODY_LIMIT_BYTES", async () => {
    const res = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ description: "x".repeat(5000) }),
    });
    expect(res.status).toBe(413);
    expect((res.body as ErrorBody).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("list", () => {
  const tenant = "list-tenant";
  const t = token(tenant);
  beforeAll(async () => {
    const specs = [
      { name: "Alpha HL7", type: "HL7", endpoint: "mllp://a.example:2575", provider: "Epic" },
      {
        name: "Beta FHIR",
        type: "FHIR",
        endpoint: "https://b.example",
        provider: "Cerner",
        description: "fhir r4 feed",
      },
      { name: "Gamma Lab", type: "LAB_SYSTEM", endpoint: "https://c.example", provider: "Quest" },
      {
        name: "Delta Lab",
        type: "LAB_SYSTEM",
        endpoint: "https://d.example",
        provider: "Quest",
        status: "INACTIVE",
      },
      { name: "Epsilon 100%_lab", type: "LAB_SYSTEM", endpoint: "https://e.example", provider: "LabCorp" },
    ];
    for (const s of specs) {
      const res = await svc.request("POST", `${API}/configs`, { token: t, body: { authType: "NONE", ...s } });
      expect(res.status, res.raw).toBe(201);
    }
  });
  const list = async (qs: string) => {
    const res = await svc.request("GET", `${API}/configs?${qs}`, { token: t });
    expect(res.status, res.raw).toBe(200);
    return res.body as IntegrationList;
  };

  it("filters by type, status, provider and searches name/provider/description", async () => {
    expect((await list("type=LAB_SYSTEM")).data).toHaveLength(3);
    expect((await list("status=INACTIVE")).data.map((i) => i.name)).toEqual(["Delta Lab"]);
    expect((await list("provider=Quest")).data).toHaveLength(2);
    expect((await list("q=fhir%20r4")).data.map((i) => i.name)).toEqual(["Beta FHIR"]);
    expect((await list("q=cerner")).data.map((i) => i.name)).toEqual(["Beta FHIR"]);
    expect((await list("q=100%25_")).data.map((i) => i.name)).toEqual(["Epsilon 100%_lab"]);
    expect((await list("q=lab&type=LAB_SYSTEM&status=ACTIVE")).data).toHaveLength(2);
  });

  it("sorts and pages with a cursor without gaps or repeats", async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: IntegrationList = await list(
        `sort=name&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      names.push(...page.data.map((i) => i.name));
      cursor = page.nextCursor;
    } while (cursor);
    expect(names).toEqual(["Alpha HL7", "Beta FHIR", "Delta Lab", "Epsilon 100%_lab", "Gamma Lab"]);
    const byCreated = await list("limit=5");
    expect(byCreated.data[0]?.name).toBe("Epsilon 100%_lab");
  });

  it("rejects a cursor from another sort and bad query values", async () => {
    const page = await list("sort=name&limit=1");
    const res = await svc.request("GET", `${API}/configs?sort=createdAt&cursor=${page.nextCursor}`, {
      token: t,
    });
    expect(res.status).toBe(400);
    expect((res.body as ErrorBody).error.details?.[0]).toMatchObject({ field: "cursor", rule: "cursor" });
    const bad = await svc.request("GET", `${API}/configs?limit=0&type=NOPE&extra=1`, { token: t });
    expect(bad.status).toBe(400);
    const fields = (bad.body as ErrorBody).error.details?.map((d) => d.field) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining(["querystring.limit", "querystring.type", "querystring.extra"]),
    );
  });

  it("exports without secrets and names the omitted ones", async () => {
    await svc.request("POST", `${API}/configs`, {
      token: t,
      body: {
        name: "Secretive",
        type: "API",
        endpoint: "https://s.example",
        authType: "API_KEY",
        apiKey: "export-secret-AAAA1111",
        headers: { "X-Api-Key": "export-header-BBBB2222", Accept: "application/json" },
      },
    });
    const res = await svc.request("GET", `${API}/configs/export`, { token: t });
    expect(res.status).toBe(200);
    expect(res.raw).not.toContain("AAAA1111");
    expect(res.raw).not.toContain("BBBB2222");
    const body = res.body as {
      count: number;
      data: Array<{ name: string; secretsOmitted: string[]; headers: unknown }>;
    };
    expect(body.count).toBe(6);
    const s = body.data.find((d) => d.name === "Secretive");
    expect(s?.secretsOmitted).toEqual(["apiKey", "headers.X-Api-Key"]);
    expect(s?.headers).toEqual({ Accept: "application/json" });
    expect(
      (await svc.request("GET", `${API}/configs/export`, { token: token(tenant, "viewer") })).status,
    ).toBe(403);
  });
});

describe("OpenAPI", () => {
  it("serves an OpenAPI 3.1 document generated from the zod schemas, and the UI", async () => {
    const res = await svc.request("GET", "/docs/json");
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        `${API}/configs`,
        `${API}/configs/export`,
        `${API}/configs/{id}`,
        `${API}/configs/{id}/test`,
        `${API}/configs/{id}/tests/{testId}`,
        `${API}/configs/{id}/audit`,
        "/internal/integrations/{id}/connection-spec",
      ]),
    );
    expect(JSON.stringify(doc.paths[`${API}/configs`]?.post)).toContain("healthCheck");
    expect((await svc.request("GET", "/docs")).status).toBeLessThan(400);
  });
});
