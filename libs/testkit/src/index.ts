export * from "./stack.ts";
export * from "./isolation.ts";
export * from "./wait.ts";
export * from "./processes.ts";
export * from "./private-stores.ts";
