import type { TlsCertificateInfo } from "@hip/contracts";
import { SocketReader } from "../../net/socket-reader.ts";
import { type AttemptEnv, failed, succeeded } from "../attempt.ts";
import { connectTo, hostPortOf } from "../tcp.probe.ts";
import { type AttemptOutcome, ProbeFailure } from "../types.ts";
import { C_ECHO_RSP, cEchoRq, describeStatus, parseCommand, readUs } from "./dimse.ts";
import {
  abortPdu,
  associateRq,
  decodeAbort,
  decodeReject,
  type Pdu,
  PC_RESULTS,
  PDU,
  parseAssociateAc,
  parsePData,
  pDataTf,
  pduParser,
  releaseRq,
} from "./pdu.ts";

const CONTEXT_ID = 1;

function aborted(p: Pdu, during: string): ProbeFailure {
  const a = decodeAbort(p.body);
  return new ProbeFailure(
    "DICOM_ABORTED",
    "protocol",
    `peer aborted the association ${during} (source ${a.source}, reason ${a.reason})`,
    {
      retryable: true,
      diagnostics: { abortSource: a.source, abortReason: a.reason },
    },
  );
}

function unexpected(p: Pdu, during: string): ProbeFailure {
  return new ProbeFailure(
    "DICOM_PROTOCOL_ERROR",
    "protocol",
    `unexpected PDU type 0x${p.type.toString(16)} ${during}`,
  );
}

/**
 * DICOM C-ECHO (Verification SOP Class) over the PS3.8 upper layer: A-ASSOCIATE-RQ -> AC/RJ, P-DATA-TF with
 * C-ECHO-RQ -> C-ECHO-RSP, then A-RELEASE. Rejections are reported with result/source/reason decoded.
 */
export async function dicomProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  const callingAe = env.cfg.callingAeTitle ?? "HIP";
  const calledAe = env.cfg.calledAeTitle ?? "ANY-SCP";
  const diagnostics: Record<string, unknown> = { callingAeTitle: callingAe, calledAeTitle: calledAe };
  let timings: Record<string, number | null> = {};
  let tls: TlsCertificateInfo | null = null;
  try {
    const target = hostPortOf(env.spec.endpoint, 104, env.cfg.tls ?? false);
    const conn = await connectTo(env, target);
    tls = conn.tls;
    timings = { dnsMs: conn.dnsMs, connectMs: conn.connectMs, tlsMs: conn.tlsMs };
    const reader = new SocketReader(conn.socket, env.signal);
    const next = pduParser();
    let associated = false;
    try {
      const assocStart = performance.now();
      conn.socket.write(associateRq({ callingAe, calledAe, contextId: CONTEXT_ID }));
      const reply = await reader.next(next, "before answering the A-ASSOCIATE-RQ");
      timings.firstByteMs = (reader.firstByteAt ?? performance.now()) - assocStart;
      if (reply.type === PDU.ASSOCIATE_RJ) {
        const rj = decodeReject(reply.body);
        Object.assign(diagnostics, {
          association: "rejected",
          rejectResult: rj.result,
          rejectSource: rj.source,
          rejectReason: rj.reason,
        });
        throw new ProbeFailure(
          "DICOM_ASSOCIATION_REJECTED",
          "protocol",
          `association rejected: ${rj.result}, source ${rj.source}, reason ${rj.reason}`,
          { retryable: rj.transient },
        );
      }
      if (reply.type === PDU.ABORT) throw aborted(reply, "instead of accepting the association");
      if (reply.type !== PDU.ASSOCIATE_AC) throw unexpected(reply, "in answer to A-ASSOCIATE-RQ");
      const ac = parseAssociateAc(reply.body);
      associated = true;
      diagnostics.association = "accepted";
      diagnostics.associateMs = Math.round((performance.now() - assocStart) * 100) / 100;
      diagnostics.maxPduLength = ac.maxPduLength;
      diagnostics.implementationClassUid = ac.implementationClassUid;
      diagnostics.implementationVersionName = ac.implementationVersionName;
      const pc = ac.contexts.find((c) => c.id === CONTEXT_ID);
      if (pc?.result !== 0) {
        const why = pc ? (PC_RESULTS[pc.result] ?? `result ${pc.result}`) : "missing from the answer";
        diagnostics.presentationContext = why;
        throw new ProbeFailure(
          "DICOM_VERIFICATION_NOT_SUPPORTED",
          "protocol",
          `Verification presentation context not accepted: ${why}`,
        );
      }
      diagnostics.transferSyntax = pc.transferSyntax;

      const echoStart = performance.now();
      const messageId = 1 + Math.floor(Math.random() * 0xfffe);
      conn.socket.write(pDataTf(CONTEXT_ID, true, true, cEchoRq(messageId)));
      const parts: Buffer[] = [];
      for (;;) {
        const p = await reader.next(next, "before the C-ECHO response");
        if (p.type === PDU.ABORT) throw aborted(p, "during C-ECHO");
        if (p.type !== PDU.P_DATA_TF) throw unexpected(p, "while waiting for C-ECHO-RSP");
        const pdvs = parsePData(p.body).filter((v) => v.command);
        for (const v of pdvs) parts.push(v.data);
        if (pdvs.some((v) => v.last)) break;
      }
      const cmd = parseCommand(Buffer.concat(parts));
      const field = readUs(cmd, 0x0100);
      const status = readUs(cmd, 0x0900);
      const respondsTo = readUs(cmd, 0x0120);
      diagnostics.echoMs = Math.round((performance.now() - echoStart) * 100) / 100;
      if (field !== C_ECHO_RSP || status === null) {
        throw new ProbeFailure("DICOM_PROTOCOL_ERROR", "protocol", "response is not a C-ECHO-RSP");
      }
      diagnostics.echoStatus = `0x${status.toString(16).padStart(4, "0")}`;
      diagnostics.echoStatusText = describeStatus(status);
      if (respondsTo !== messageId) {
        throw new ProbeFailure(
          "DICOM_PROTOCOL_ERROR",
          "protocol",
          `C-ECHO-RSP answers message ${respondsTo}, not ${messageId}`,
        );
      }
      if (status !== 0) {
        throw new ProbeFailure(
          "DICOM_ECHO_FAILED",
          "application",
          `C-ECHO status ${diagnostics.echoStatus} (${describeStatus(status)})`,
        );
      }
      conn.socket.write(releaseRq());
      associated = false;
      // A slow or silent release must not eat the attempt's timeout: the echo already succeeded.
      const cap = setTimeout(() => conn.socket.destroy(), 2_000);
      try {
        const rp = await reader.next(next, "before answering A-RELEASE-RQ");
        diagnostics.released = rp.type === PDU.RELEASE_RP;
      } catch {
        diagnostics.released = false;
      } finally {
        clearTimeout(cap);
      }
      return succeeded(env, "dicom", { timings, tls, diagnostics });
    } finally {
      const sock = conn.socket;
      if (!sock.destroyed) {
        if (associated) sock.end(abortPdu());
        else sock.end();
        setTimeout(() => sock.destroy(), 1_000).unref();
      }
    }
  } catch (err) {
    if (err instanceof ProbeFailure) {
      err.timings = { ...timings, ...err.timings };
      err.tls = err.tls ?? tls;
    }
    return failed(env, "dicom", err, diagnostics);
  }
}
