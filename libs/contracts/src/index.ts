export * from "./enums.ts";
export * from "./errors.ts";
export * from "./integration.ts";
export * from "./events.ts";
export * from "./topics.ts";
export * from "./probe.ts";
export * from "./jobs.ts";
export * from "./auth.ts";
