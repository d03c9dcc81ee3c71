import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run with EVALSHA (the body is sent only when Redis does not have it yet: after a restart or a
 * SCRIPT FLUSH). For scripts run per check, where sending and hashing the body on every EVAL adds up.
 */
export function luaScript(source: string) {
  const sha = createHash("sha1").update(source).digest("hex");
  return async (redis: Redis, numKeys: number, ...args: Array<string | number>): Promise<unknown> => {
    try {
      return await redis.evalsha(sha, numKeys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
      return redis.eval(source, numKeys, ...args);
    }
  };
}
