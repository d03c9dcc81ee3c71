import type { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { luaScript } from "./lua.ts";

describe("luaScript", () => {
  it("runs by sha, sends the body only when Redis answers NOSCRIPT, and passes other errors on", async () => {
    const calls: string[] = [];
    let known = false;
    const redis = {
      evalsha: async (_sha: string, _n: number, ...args: unknown[]) => {
        calls.push("evalsha");
        if (args[0] === "boom") throw new Error("ERR boom");
        if (!known) throw new Error("NOSCRIPT No matching script. Please use EVAL.");
        return "ran";
      },
      eval: async () => {
        calls.push("eval");
        known = true;
        return "ran";
      },
    } as unknown as Redis;
    const script = luaScript("return 1");
    expect(await script(redis, 0, "a")).toBe("ran");
    expect(await script(redis, 0, "a")).toBe("ran");
    expect(calls).toEqual(["evalsha", "eval", "evalsha"]);
    await expect(script(redis, 0, "boom")).rejects.toThrow("ERR boom");
  });
});
