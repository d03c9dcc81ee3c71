import { PROBE_QUEUE } from "@hip/contracts";
import { createLogger } from "@hip/service-kit";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { ResyncService } from "../domain/resync.ts";
import { loadEnv } from "../env.ts";
import { configAccess } from "../runtime.ts";

// Usage: node src/cli/resync.ts  (same env as the worker). Prints the summary as JSON; exit 2 if another
// process is resyncing, 1 on failure.
const env = loadEnv();
const logger = createLogger({ name: "probe-worker-resync", level: env.LOG_LEVEL });
const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue(PROBE_QUEUE, { connection: redis, prefix: env.REDIS_PREFIX });
let code = 0;
try {
  const { keys, client, schedules } = configAccess(env, redis, logger, queue);
  const resync = new ResyncService({
    client,
    schedules,
    redis,
    keys,
    logger,
    pageSize: env.RESYNC_PAGE_SIZE,
  });
  const summary = await resync.run("cli");
  if (summary) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stderr.write("another resync is running; try again shortly\n");
    code = 2;
  }
} catch (err) {
  logger.error({ err: err instanceof Error ? err.message : String(err) }, "resync failed");
  code = 1;
} finally {
  await queue.close();
  await redis.quit();
}
process.exit(code);
