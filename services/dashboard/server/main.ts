import { runService } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

// The SSE route takes the JWT as ?access_token=: never log query strings.
const req = (r: { method: string; url: string; id: string }) => ({
  method: r.method,
  url: r.url.split("?")[0],
  id: r.id,
});
await runService({
  name: "dashboard",
  env: loadEnv(),
  create: createRuntime,
  logger: { serializers: { req } },
});
