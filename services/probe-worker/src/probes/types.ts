import type { ProbeResult } from "@hip/contracts";

export { ProbeFailure } from "@hip/net-guard";

/** What one probe run reports; the runtime adds identity, trigger and timestamps to make a ProbeResult. */
export type ProbeOutcome = Pick<
  ProbeResult,
  "probe" | "success" | "latencyMs" | "timings" | "tls" | "error" | "diagnostics" | "attempts"
>;

/** One attempt's result before retries are folded in. */
export type AttemptOutcome = Omit<ProbeOutcome, "attempts"> & { retryable: boolean };
