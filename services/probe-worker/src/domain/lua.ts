import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface LuaScript {
  (redis: Redis, numKeys: number, ...args: Array<string | number>): Promise<unknown>;
  /**
   * Defines the command on a connection now. Required before the first call on an auto-pipelined connection: a
   * pipeline only has the commands defined when it was created, and one started earlier in the same event-loop
   * turn (by any other command) would lack it, which ioredis turns into an uncaught exception.
   */
  define(redis: Redis): void;
}

/**
 * A Lua script run by ioredis' own script support (`defineCommand`: EVALSHA, the body sent again only on
 * NOSCRIPT, as config-service's rate-limit store does), for scripts run per check or per claim. The number of
 * keys is passed on each call.
 */
export function luaScript(source: string): LuaScript {
  const name = `hipLua${createHash("sha1").update(source).digest("hex").slice(0, 12)}`;
  const define = (redis: Redis) => {
    if (!(name in redis)) redis.defineCommand(name, { lua: source });
  };
  const call = (redis: Redis, numKeys: number, ...args: Array<string | number>): Promise<unknown> => {
    define(redis);
    const run = (redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[
      name
    ];
    if (!run) throw new Error(`Lua command ${name} is not defined`);
    return run.call(redis, numKeys, ...args);
  };
  return Object.assign(call, { define });
}
