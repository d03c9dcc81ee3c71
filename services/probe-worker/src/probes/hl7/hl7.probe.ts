import type { TlsCertificateInfo } from "@hip/contracts";
import { SocketReader } from "../../net/socket-reader.ts";
import { type AttemptEnv, failed, succeeded } from "../attempt.ts";
import { connectTo, hostPortOf } from "../tcp.probe.ts";
import { type AttemptOutcome, ProbeFailure } from "../types.ts";
import { buildMessage, newControlId, parseAck } from "./message.ts";
import { frame, mllpFrame } from "./mllp.ts";

const SUCCESS = new Set(["AA", "CA"]);
/** AR/CR mean "rejected for reasons unrelated to content" (e.g. receiver busy or down): worth a retry. */
const RETRYABLE = new Set(["AR", "CR"]);

/** HL7 v2 over MLLP (optionally TLS): send a test message, read the framed ACK, judge MSA. */
export async function hl7Probe(env: AttemptEnv): Promise<AttemptOutcome> {
  const controlId = newControlId();
  const base: Record<string, unknown> = { controlId };
  let timings: Record<string, number | null> = {};
  let tls: TlsCertificateInfo | null = null;
  try {
    const target = hostPortOf(env.spec.endpoint, 2575, env.cfg.tls ?? false);
    const message = buildMessage(env.cfg, controlId);
    const conn = await connectTo(env, target);
    tls = conn.tls;
    timings = { dnsMs: conn.dnsMs, connectMs: conn.connectMs, tlsMs: conn.tlsMs };
    base.tls = target.tls;
    const reader = new SocketReader(conn.socket, env.signal);
    const sentAt = performance.now();
    try {
      conn.socket.write(frame(message));
      const ackText = await reader.next(mllpFrame, "before the ACK was complete");
      timings.firstByteMs = (reader.firstByteAt ?? performance.now()) - sentAt;
      const ack = parseAck(ackText);
      const diagnostics = {
        ...base,
        ackCode: ack.ackCode,
        ackControlId: ack.ackControlId,
        ackMessageType: ack.messageType,
        ackVersion: ack.version,
        ...(ack.textMessage ? { ackText: ack.textMessage.slice(0, 500) } : {}),
        ...(ack.errors.length > 0 ? { errors: ack.errors } : {}),
      };
      if (ack.ackControlId !== controlId) {
        throw new ProbeFailure(
          "HL7_CONTROL_ID_MISMATCH",
          "protocol",
          `ACK acknowledges control id "${ack.ackControlId.slice(0, 40)}", but the probe sent "${controlId}"`,
          { diagnostics },
        );
      }
      if (!SUCCESS.has(ack.ackCode)) {
        const detail = [ack.textMessage, ...ack.errors].filter(Boolean).join("; ");
        const known = ["AE", "AR", "CE", "CR"].includes(ack.ackCode);
        throw new ProbeFailure(
          known ? "HL7_NACK" : "HL7_INVALID_ACK",
          known ? "application" : "protocol",
          known
            ? `receiver answered ${ack.ackCode}${detail ? `: ${detail.slice(0, 1000)}` : " without a reason"}`
            : `ACK code "${ack.ackCode.slice(0, 10)}" is not one of AA, AE, AR, CA, CE, CR`,
          { retryable: RETRYABLE.has(ack.ackCode), diagnostics },
        );
      }
      return succeeded(env, "hl7-mllp", { timings, tls, diagnostics });
    } finally {
      conn.socket.end();
      conn.socket.destroy();
    }
  } catch (err) {
    if (err instanceof ProbeFailure) {
      err.timings = { ...timings, ...err.timings };
      err.tls = err.tls ?? tls;
    }
    return failed(env, "hl7-mllp", err, base);
  }
}
