import type { Redis } from "ioredis";
import type { Logger } from "pino";

// Fixed window per key: the first hit sets the window's expiry, later hits read what is left of it.
const INCR_WINDOW = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) return {current, tonumber(ARGV[1])} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) ttl = tonumber(ARGV[1]) end
return {current, ttl}`;

type Callback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/**
 * Whether Redis is usable for rate limiting. It opens on the first failed command or when the connection drops,
 * and while open the limiter does not touch Redis at all: requests pass at once (fail open) instead of each
 * waiting for a reconnect. A background PING every `recheckMs` (and the connection's `ready` event) closes it.
 */
export class RedisCircuit {
  private openSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly redis: Redis;
  private readonly logger: Logger;
  private readonly recheckMs: number;

  constructor(redis: Redis, logger: Logger, recheckMs: number) {
    this.redis = redis;
    this.logger = logger;
    this.recheckMs = recheckMs;
    redis.on("close", () => this.trip("connection closed"));
    redis.on("ready", () => this.close());
  }

  /** Start-up: waits for the first connection (the offline queue is off), else starts with the circuit open. */
  async waitReady(timeoutMs: number): Promise<void> {
    if (this.redis.status === "ready") return;
    const ready = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.redis.once("ready", () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    if (!ready) this.trip("no connection at start-up");
  }

  get isOpen(): boolean {
    return this.openSince !== null;
  }

  trip(reason: string): void {
    if (this.openSince !== null) return;
    this.openSince = Date.now();
    this.logger.warn(
      { reason },
      "Redis unavailable: rate limiting is off (requests pass) until it answers again",
    );
    this.timer = setInterval(() => {
      this.redis.ping().then(
        () => this.close(),
        () => undefined,
      );
    }, this.recheckMs);
    this.timer.unref();
  }

  close(): void {
    if (this.openSince === null) return;
    this.logger.info(
      { downMs: Date.now() - this.openSince },
      "Redis answers again: rate limiting is back on",
    );
    this.openSince = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * A @fastify/rate-limit store on Redis behind a circuit: with the circuit open it answers with an error at once,
 * which the plugin (`skipOnError`) turns into "allowed". Pair it with a Redis client that has the offline queue
 * off and a command timeout, so a command never waits for a reconnect either.
 */
export function circuitRedisStore(redis: Redis, circuit: RedisCircuit, nameSpace: string) {
  if (!("hipRateLimit" in redis)) redis.defineCommand("hipRateLimit", { numberOfKeys: 1, lua: INCR_WINDOW });
  const run = (redis as unknown as { hipRateLimit(key: string, ms: number): Promise<[number, number]> })
    .hipRateLimit;

  class CircuitRedisStore {
    private readonly prefix: string;
    constructor(prefix: unknown = nameSpace) {
      this.prefix = typeof prefix === "string" ? prefix : nameSpace;
    }

    incr(key: string, cb: Callback, timeWindow: number): void {
      if (circuit.isOpen) {
        cb(new Error("Redis circuit is open"));
        return;
      }
      run.call(redis, this.prefix + key, timeWindow).then(
        ([current, ttl]) => cb(null, { current, ttl }),
        (err: Error) => {
          circuit.trip(err.message);
          cb(err);
        },
      );
    }

    /** A route with its own limit gets its own keys (the plugin passes `routeInfo` at run time). */
    child(routeOptions: object) {
      const info = (routeOptions as { routeInfo?: { method?: string; url?: string } }).routeInfo;
      return new CircuitRedisStore(`${this.prefix}${info?.method ?? ""}${info?.url ?? ""}-`);
    }
  }
  return CircuitRedisStore;
}
