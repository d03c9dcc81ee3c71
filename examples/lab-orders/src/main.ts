import { runService } from "@hip/service-kit";
import { loadEnv } from "./env.ts";
import { createRuntime } from "./runtime.ts";

await runService({ name: "lab-orders", env: loadEnv(), create: createRuntime });
