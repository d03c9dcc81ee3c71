import type { TlsCertificateInfo } from "@hip/contracts";
import { once } from "node:events";
import { isIP, type Socket, connect as tcpConnect } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import { abortFailure, failureFromError, ProbeFailure } from "./failure.ts";
import { type LookupFn, type ResolvedTarget, resolveTarget } from "./ssrf.ts";
import { tlsInfoOf } from "./tls-info.ts";

export interface TlsOptions {
  /** When false, an untrusted/expired certificate is reported (authorized=false) but does not fail. */
  rejectUnauthorized: boolean;
  alpn?: string[];
}

export interface ConnectOptions {
  hostname: string;
  port: number;
  tls: TlsOptions | null;
  allowedCidrs: readonly string[];
  signal: AbortSignal;
  lookup?: LookupFn;
}

export interface Connection {
  socket: Socket | TLSSocket;
  target: ResolvedTarget;
  dnsMs: number | null;
  connectMs: number;
  tlsMs: number | null;
  tls: TlsCertificateInfo | null;
  /** performance.now() when the attempt started (before DNS). */
  startedAt: number;
}

const CERT_UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
]);

function certFailure(reason: string): ProbeFailure {
  if (reason === "CERT_HAS_EXPIRED")
    return new ProbeFailure("CERT_EXPIRED", "tls", "server certificate has expired");
  if (reason === "CERT_NOT_YET_VALID") {
    return new ProbeFailure("CERT_NOT_YET_VALID", "tls", "server certificate is not valid yet");
  }
  if (reason === "ERR_TLS_CERT_ALTNAME_INVALID" || /hostname|altname/i.test(reason)) {
    return new ProbeFailure(
      "CERT_HOSTNAME_MISMATCH",
      "tls",
      "server certificate does not match the host name",
    );
  }
  if (CERT_UNTRUSTED.has(reason)) {
    return new ProbeFailure("CERT_UNTRUSTED", "tls", `server certificate is not trusted (${reason})`);
  }
  return new ProbeFailure("TLS_ERROR", "tls", `server certificate rejected (${reason})`);
}

/**
 * Resolves and SSRF-checks the host, then opens TCP (and TLS) to the checked IP itself, so DNS is asked
 * exactly once and a rebinding answer cannot change where bytes go. TLS verification is done here, before
 * the caller writes a single byte, so credentials never reach a server that failed verification; the
 * certificate facts are captured either way. The socket is destroyed when `signal` aborts.
 */
export async function openConnection(opts: ConnectOptions): Promise<Connection> {
  const startedAt = performance.now();
  const { signal } = opts;
  if (signal.aborted) throw abortFailure(signal, "dns");
  let target: ResolvedTarget;
  try {
    target = await resolveTarget(opts.hostname, {
      allowedCidrs: opts.allowedCidrs,
      signal,
      lookup: opts.lookup,
    });
  } catch (err) {
    if (signal.aborted) throw abortFailure(signal, "dns");
    throw failureFromError(err, "dns");
  }
  const dnsMs = target.dnsMs;
  const tcpStart = performance.now();
  const socket = tcpConnect({ host: target.address, port: opts.port, family: target.family, noDelay: true });
  // Safety net: a late socket error must never become an uncaught exception that kills the worker; the
  // protocol layers attach their own listeners and report errors through them.
  socket.on("error", () => {});
  const destroy = () => socket.destroy();
  signal.addEventListener("abort", destroy, { once: true });
  socket.once("close", () => signal.removeEventListener("abort", destroy));
  try {
    await once(socket, "connect", { signal });
  } catch (err) {
    socket.destroy();
    const f = signal.aborted ? abortFailure(signal, "connect") : failureFromError(err, "connect");
    f.timings = { dnsMs };
    throw f;
  }
  const connectMs = performance.now() - tcpStart;
  if (!opts.tls) return { socket, target, dnsMs, connectMs, tlsMs: null, tls: null, startedAt };

  const tlsStart = performance.now();
  const servername = isIP(target.hostname) ? undefined : target.hostname;
  const secure = tlsConnect({
    socket,
    host: target.hostname,
    servername,
    rejectUnauthorized: false,
    ALPNProtocols: opts.tls.alpn,
  });
  secure.on("error", () => {});
  const destroyTls = () => secure.destroy();
  signal.addEventListener("abort", destroyTls, { once: true });
  secure.once("close", () => signal.removeEventListener("abort", destroyTls));
  try {
    await once(secure, "secureConnect", { signal });
  } catch (err) {
    secure.destroy();
    const f = signal.aborted ? abortFailure(signal, "tls handshake") : failureFromError(err, "tls");
    f.timings = { dnsMs, connectMs };
    throw f;
  }
  const tlsMs = performance.now() - tlsStart;
  const tls = tlsInfoOf(secure);
  if (!secure.authorized && opts.tls.rejectUnauthorized) {
    secure.destroy();
    const reason = String(secure.authorizationError ?? "UNKNOWN");
    const f = certFailure(reason);
    f.timings = { dnsMs, connectMs, tlsMs };
    f.tls = tls;
    throw f;
  }
  return { socket: secure, target, dnsMs, connectMs, tlsMs, tls, startedAt };
}
