import { runService } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

await runService({ name: "probe-worker", env: loadEnv(), create: createRuntime });
