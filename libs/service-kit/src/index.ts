export * from "./env.ts";
export * from "./logger.ts";
export * from "./errors.ts";
export * from "./app.ts";
export * from "./shutdown.ts";
export * from "./auth.ts";
export * from "./jwt.ts";
export * from "./runtime.ts";
