export * from "./catalog.ts";
export * from "./credentials.ts";
export * from "./seed.ts";
export * from "./simulators.ts";
