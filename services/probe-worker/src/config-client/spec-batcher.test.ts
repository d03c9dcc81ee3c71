import type { ConnectionSpec } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { makeSpec } from "../testing/fixtures.ts";
import { SpecBatcher } from "./spec-batcher.ts";

function client(specs: ConnectionSpec[], opts: { batchRoute?: boolean; fail?: boolean } = {}) {
  const calls = { batches: [] as string[][], singles: [] as string[] };
  const byId = new Map(specs.map((s) => [s.id, s]));
  return {
    calls,
    getConnectionSpecs: async (ids: string[]) => {
      calls.batches.push(ids);
      if (opts.fail) throw new Error("config service unreachable");
      if (opts.batchRoute === false) return null;
      return new Map(ids.map((id) => [id, byId.get(id) ?? null]));
    },
    getConnectionSpec: async (id: string) => {
      calls.singles.push(id);
      return byId.get(id) ?? null;
    },
  };
}

describe("SpecBatcher", () => {
  it("fetches the specs asked for within its window in one call; an unknown id is null", async () => {
    const specs = [makeSpec(), makeSpec()];
    const c = client(specs);
    const batcher = new SpecBatcher({ client: c, windowMs: 20 });
    const gone = "00000000-0000-4000-8000-000000000009";
    const got = await Promise.all([
      batcher.load(specs[0]?.id ?? ""),
      batcher.load(specs[1]?.id ?? ""),
      batcher.load(gone),
      batcher.load(specs[0]?.id ?? ""),
    ]);
    expect(got.map((s) => s?.id ?? null)).toEqual([specs[0]?.id, specs[1]?.id, null, specs[0]?.id]);
    expect(c.calls.batches).toEqual([[specs[0]?.id, specs[1]?.id, gone]]);
    expect(c.calls.singles).toEqual([]);
  });

  it("sends a full batch at once, without waiting for the window", async () => {
    const specs = [makeSpec(), makeSpec(), makeSpec()];
    const c = client(specs);
    const batcher = new SpecBatcher({ client: c, windowMs: 60_000, maxBatch: 3 });
    const got = await Promise.all(specs.map((s) => batcher.load(s.id)));
    expect(got.map((s) => s?.id)).toEqual(specs.map((s) => s.id));
    expect(c.calls.batches).toHaveLength(1);
  });

  it("fails every waiter of a failed batch, and falls back to single fetches without the batch route", async () => {
    const spec = makeSpec();
    const failing = new SpecBatcher({ client: client([spec], { fail: true }), windowMs: 1 });
    await expect(failing.load(spec.id)).rejects.toThrow("unreachable");
    const old = client([spec], { batchRoute: false });
    const batcher = new SpecBatcher({ client: old, windowMs: 1 });
    expect((await batcher.load(spec.id))?.id).toBe(spec.id);
    expect((await batcher.load(spec.id))?.id).toBe(spec.id);
    expect(old.calls.batches).toHaveLength(1);
    expect(old.calls.singles).toEqual([spec.id, spec.id]);
  });
});
