export type { StatusChange } from "./changes.ts";
export { StatusClient, type StatusClientOptions, type Staleness } from "./client.ts";
export {
  ChangeBufferOverflowError,
  IntegrationUnavailableError,
  IntegrationUnknownError,
  StatusClientError,
} from "./errors.ts";
export type { GuardOptions } from "./guard.ts";
export { type IntegrationHealth, isAvailableState } from "./health.ts";
export type { TokenSource } from "./snapshot.ts";
export { StatusStore } from "./store.ts";
export { type Prefiltered, prefilter } from "./prefilter.ts";
