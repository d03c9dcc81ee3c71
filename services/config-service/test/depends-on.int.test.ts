import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API, type ErrorBody, labBody, startService, type TestService, token } from "./support.ts";

let svc: TestService;
const admin = token("dep1");
const other = token("dep2");

beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
});

interface Created {
  id: string;
  version: number;
  dependsOn: string[];
}

async function create(name: string, extra: Record<string, unknown> = {}, as = admin): Promise<Created> {
  const res = await svc.request("POST", `${API}/configs`, { token: as, body: labBody({ name, ...extra }) });
  expect(res.status, res.raw).toBe(201);
  return res.body as Created;
}

function expectIssue(res: { status: number; body: unknown; raw: string }, field: string, rule: string) {
  expect(res.status, res.raw).toBe(400);
  const err = (res.body as ErrorBody).error;
  expect(err.code).toBe("VALIDATION");
  expect(err.details).toEqual(expect.arrayContaining([expect.objectContaining({ field, rule })]));
}

describe("dependsOn", () => {
  it("stores same-tenant parents, shows them in the view and the export", async () => {
    const vpn = await create("dep-vpn");
    const engine = await create("dep-engine", { dependsOn: [vpn.id] });
    const lab = await create("dep-lab", { dependsOn: [engine.id, vpn.id, vpn.id] });
    expect(lab.dependsOn).toEqual([engine.id, vpn.id]);
    const got = await svc.request("GET", `${API}/configs/${lab.id}`, { token: admin });
    expect((got.body as Created).dependsOn).toEqual([engine.id, vpn.id]);
    const exp = await svc.request("GET", `${API}/configs/export`, { token: admin });
    const rows = (exp.body as { data: Created[] }).data;
    expect(rows.find((r) => r.id === lab.id)?.dependsOn).toEqual([engine.id, vpn.id]);
  });

  it("another tenant's id or an unknown id is a 400 naming dependsOn.N; nothing is written", async () => {
    const theirs = await create("dep-theirs", {}, other);
    const mine = await create("dep-mine");
    const res = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ name: "dep-bad", dependsOn: [mine.id, theirs.id] }),
    });
    expectIssue(res, "dependsOn.1", "exists");
    const unknown = await svc.request("PATCH", `${API}/configs/${mine.id}`, {
      token: admin,
      body: { dependsOn: ["3f1d2c9e-0000-4000-8000-000000000000"] },
    });
    expectIssue(unknown, "dependsOn.0", "exists");
    const list = await svc.request("GET", `${API}/configs?limit=100`, { token: admin });
    expect(list.status).toBe(200);
    expect(list.raw).toContain("dep-mine");
    expect(list.raw).not.toContain("dep-bad");
    const after = await svc.request("GET", `${API}/configs/${mine.id}`, { token: admin });
    expect((after.body as Created).version).toBe(mine.version);
  });

  it("itself, a cycle and more than 20 parents are 400s naming the field", async () => {
    const a = await create("dep-a");
    const b = await create("dep-b", { dependsOn: [a.id] });
    const c = await create("dep-c", { dependsOn: [b.id] });
    expectIssue(
      await svc.request("PATCH", `${API}/configs/${a.id}`, { token: admin, body: { dependsOn: [a.id] } }),
      "dependsOn.0",
      "self",
    );
    expectIssue(
      await svc.request("PATCH", `${API}/configs/${a.id}`, { token: admin, body: { dependsOn: [c.id] } }),
      "dependsOn",
      "cycle",
    );
    const many = Array.from({ length: 21 }, () => a.id);
    expectIssue(
      await svc.request("PATCH", `${API}/configs/${c.id}`, { token: admin, body: { dependsOn: many } }),
      "dependsOn",
      "max",
    );
  });

  it("concurrent PATCHes that would close a cycle: exactly one wins", async () => {
    const x = await create("dep-x");
    const y = await create("dep-y");
    const [r1, r2] = await Promise.all([
      svc.request("PATCH", `${API}/configs/${x.id}`, { token: admin, body: { dependsOn: [y.id] } }),
      svc.request("PATCH", `${API}/configs/${y.id}`, { token: admin, body: { dependsOn: [x.id] } }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 400]);
  });

  it("deleting a parent removes it from its children's dependsOn", async () => {
    const p = await create("dep-parent");
    const q = await create("dep-other-parent");
    const child = await create("dep-child", { dependsOn: [p.id, q.id] });
    const del = await svc.request("DELETE", `${API}/configs/${p.id}`, { token: admin });
    expect(del.status, del.raw).toBeLessThan(300);
    const got = await svc.request("GET", `${API}/configs/${child.id}`, { token: admin });
    expect((got.body as Created).dependsOn).toEqual([q.id]);
  });
});
