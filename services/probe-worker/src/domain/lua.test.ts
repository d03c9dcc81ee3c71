import { getTestStack } from "@hip/testkit";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { luaScript } from "./lua.ts";

describe("luaScript (real Redis)", () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = new Redis((await getTestStack()).redisUrl);
  });
  afterAll(() => redis.disconnect());

  it("runs the script with its keys and arguments, again, and on another connection", async () => {
    const echo = luaScript("return {KEYS[1], ARGV[1], ARGV[2]}");
    expect(await echo(redis, 1, "k", "a", 2)).toEqual(["k", "a", "2"]);
    expect(await echo(redis, 1, "k2", "b", 3)).toEqual(["k2", "b", "3"]);
    const other = redis.duplicate();
    expect(await echo(other, 1, "k3", "c", 4)).toEqual(["k3", "c", "4"]);
    other.disconnect();
  });
});
