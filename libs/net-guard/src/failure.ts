import type { PhaseTimings, ProbeError, ProbeStage, TlsCertificateInfo } from "@hip/contracts";

/**
 * A failure raised by the network layer or a probe; `retryable` decides whether executeProbe tries again.
 * Messages never carry secrets (URLs are reported without query strings or credentials).
 */
export class ProbeFailure extends Error {
  readonly code: string;
  readonly stage: ProbeStage;
  readonly retryable: boolean;
  readonly diagnostics: Record<string, unknown>;
  /** Phase timings measured before the failure, filled in by the layer that measured them. */
  timings: Partial<PhaseTimings> = {};
  /** Certificate facts when the failure came after a TLS handshake (e.g. an untrusted or expired cert). */
  tls: TlsCertificateInfo | null = null;

  constructor(
    code: string,
    stage: ProbeStage,
    message: string,
    opts: { retryable?: boolean; diagnostics?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "ProbeFailure";
    this.code = code;
    this.stage = stage;
    this.retryable = opts.retryable ?? false;
    this.diagnostics = opts.diagnostics ?? {};
  }

  toError(): ProbeError {
    return { code: this.code, stage: this.stage, message: this.message.slice(0, 2000) };
  }
}

/** Maps a Node socket/DNS/TLS error to a stable code; `stage` is where it happened. */
export function failureFromError(err: unknown, stage: "dns" | "connect" | "tls" | "protocol"): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === "string" ? e.code : "";
  const msg = err instanceof Error ? err.message : String(err);
  switch (code) {
    case "ENOTFOUND":
    case "EAI_NONAME":
    case "EAI_NODATA":
      return new ProbeFailure("DNS_FAILED", "dns", `host name could not be resolved (${code})`);
    case "EAI_AGAIN":
      return new ProbeFailure("DNS_FAILED", "dns", "DNS lookup timed out or server unavailable (EAI_AGAIN)", {
        retryable: true,
      });
    case "ECONNREFUSED":
      return new ProbeFailure(
        "CONNECTION_REFUSED",
        "connect",
        "connection refused: nothing listens on that port",
        {
          retryable: true,
        },
      );
    case "ECONNRESET":
    case "EPIPE":
      return new ProbeFailure(
        "CONNECTION_RESET",
        stage === "dns" ? "connect" : stage,
        `connection reset by peer (${code})`,
        {
          retryable: true,
        },
      );
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return new ProbeFailure("HOST_UNREACHABLE", "connect", `host unreachable (${code})`, {
        retryable: true,
      });
    case "ETIMEDOUT":
      return new ProbeFailure("TIMEOUT", "timeout", "connection timed out (ETIMEDOUT)", { retryable: true });
    case "CERT_HAS_EXPIRED":
      return new ProbeFailure("CERT_EXPIRED", "tls", "server certificate has expired");
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return new ProbeFailure(
        "CERT_HOSTNAME_MISMATCH",
        "tls",
        "server certificate does not match the host name",
      );
    default:
      if (stage === "tls" || code.startsWith("ERR_SSL") || code.startsWith("ERR_TLS")) {
        return new ProbeFailure("TLS_ERROR", "tls", `TLS handshake failed: ${msg}`, { retryable: false });
      }
      return new ProbeFailure(
        stage === "dns" ? "DNS_FAILED" : stage === "protocol" ? "PROTOCOL_ERROR" : "CONNECTION_FAILED",
        stage,
        `${stage} failed: ${msg}`,
        { retryable: true },
      );
  }
}

/** The failure for an aborted signal: the per-attempt timeout, or a shutdown of the worker. */
export function abortFailure(signal: AbortSignal, during: string): ProbeFailure {
  const reason = signal.reason as { name?: string } | undefined;
  if (reason?.name === "TimeoutError") {
    return new ProbeFailure("TIMEOUT", "timeout", `timed out during ${during}`, {
      retryable: true,
      diagnostics: { timedOutDuring: during },
    });
  }
  return new ProbeFailure("ABORTED", "timeout", `probe aborted during ${during} (worker shutting down)`);
}
