import type { IntegrationHealth } from "./health.ts";

/** Every error this library throws. `code` is stable; match on it or on the class. */
export class StatusClientError extends Error {
  override name = "StatusClientError";
  readonly code: string;
  constructor(code: string, message: string, opts: { cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.code = code;
  }
}

/**
 * `guard()` refused to run the call: the integration is ERROR or has an unresolved incident (open or
 * acknowledged). Thrown before `fn` runs, so nothing was sent.
 */
export class IntegrationUnavailableError extends StatusClientError {
  override name = "IntegrationUnavailableError";
  readonly integrationId: string;
  readonly reason: "error_status" | "open_incident";
  readonly health: IntegrationHealth;
  constructor(health: IntegrationHealth) {
    const reason = health.status === "ERROR" ? "error_status" : "open_incident";
    super(
      "INTEGRATION_UNAVAILABLE",
      reason === "error_status"
        ? `Integration ${health.integrationId} is ERROR`
        : `Integration ${health.integrationId} has an open incident`,
    );
    this.integrationId = health.integrationId;
    this.reason = reason;
    this.health = health;
  }
}

/** The id is not an integration this client can see: never existed, deleted, or another tenant's. */
export class IntegrationUnknownError extends StatusClientError {
  override name = "IntegrationUnknownError";
  readonly integrationId: string;
  constructor(integrationId: string) {
    super("INTEGRATION_UNKNOWN", `Integration ${integrationId} is not known to this status client`);
    this.integrationId = integrationId;
  }
}

/** A `changes()` iterator fell more than its buffer behind; read `get()`/`list()` and iterate again. */
export class ChangeBufferOverflowError extends StatusClientError {
  override name = "ChangeBufferOverflowError";
  constructor(size: number) {
    super("CHANGE_BUFFER_OVERFLOW", `More than ${size} unread changes; the iterator was closed`);
  }
}
