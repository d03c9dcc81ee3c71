import type { ExpiryNotice, ChannelType, IncidentSnapshot, Transition } from "@hip/contracts";

/** A channel with its secrets opened, for the one moment of sending. Never logged, never returned. */
export interface OpenChannel {
  id: string;
  tenantId: string;
  name: string;
  type: ChannelType;
  /** Non-secret settings (EMAIL `to`, PAGERDUTY `url`). */
  config: Record<string, unknown>;
  /** Decrypted secret settings (`url`, `secret`, `routingKey`). */
  secrets: Record<string, string>;
}

/** The facts every channel renders, whatever its format. */
export interface AlertMessage {
  /** `<incidentId>:<transition>`: Idempotency-Key, X-HIP-Event-Id, PagerDuty is keyed by the incident id. */
  key: string;
  transition: Transition;
  tenantId: string;
  incident: IncidentSnapshot;
  /** Expiry notices only: what expires when (`incident` then describes the notice). */
  notice?: ExpiryNotice;
  /** Dashboard link to the incident. */
  link: string;
  /** When the message was first built (the same on every retry: the delivery row's creation time). */
  createdAt: Date;
  /** Time the notice is about (status change, ack, reminder due time). */
  now: Date;
}

export interface SendContext {
  allowedCidrs: readonly string[];
  timeoutMs: number;
  pagerDutyUrl: string;
  email: EmailSettings | null;
}

export interface EmailSettings {
  smtpUrl: string;
  from: string;
}

export interface SendSuccess {
  statusCode: number | null;
}

/**
 * Why a send failed. `retryable` failures are tried again with backoff (honouring `retryAfterMs`); the others
 * give up at once (4xx other than 408/425/429, SSRF_BLOCKED, invalid configuration).
 */
export class DeliveryFailure extends Error {
  override name = "DeliveryFailure";
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number | null;
  readonly retryAfterMs: number | null;

  constructor(
    code: string,
    message: string,
    opts: { retryable: boolean; statusCode?: number | null; retryAfterMs?: number | null },
  ) {
    super(message);
    this.code = code;
    this.retryable = opts.retryable;
    this.statusCode = opts.statusCode ?? null;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}
