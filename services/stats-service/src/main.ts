import { loadEnv } from "./env.ts";
import { createStatsService } from "./service.ts";

const env = loadEnv();
const service = await createStatsService(env);
service.shutdown.installSignalHandlers();
// Listen first: /health answers at once, /ready stays 503 until the projection consumer runs.
await service.app.listen({ host: env.HOST, port: env.PORT });
await service.start();
