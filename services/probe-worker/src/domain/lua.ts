import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run by ioredis' own script support (`defineCommand`: EVALSHA, the body sent again only on
 * NOSCRIPT, as config-service's rate-limit store does), for scripts run per check or per claim. The number of
 * keys is passed on each call.
 */
export function luaScript(source: string) {
  const name = `hipLua${createHash("sha1").update(source).digest("hex").slice(0, 12)}`;
  return (redis: Redis, numKeys: number, ...args: Array<string | number>): Promise<unknown> => {
    if (!(name in redis)) redis.defineCommand(name, { lua: source });
    const run = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[
      name
    ];
    if (!run) throw new Error(`Lua command ${name} is not defined`);
    return run.call(redis, numKeys, ...args);
  };
}
