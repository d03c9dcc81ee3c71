import { runService } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

// Request logs redact `?access_token=` (the SSE route's JWT) and other secret-named query parameters: the
// service-kit logger's req serializer, shared by every service.
await runService({ name: "dashboard", env: loadEnv(), create: createRuntime });
