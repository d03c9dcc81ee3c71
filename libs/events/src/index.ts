export * from "./bus.ts";
export * from "./consumer.ts";
export * from "./producer.ts";
export * from "./deadline.ts";
export * from "./coalesce.ts";
