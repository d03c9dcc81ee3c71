import type { TlsCertificateInfo } from "@hip/contracts";
import type { PeerCertificate, TLSSocket } from "node:tls";

const DAY_MS = 86_400_000;

function dn(name: PeerCertificate["subject"] | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : String(v)}`)
    .join(", ");
}

/** Certificate facts of the leaf the server presented; null when there is none (e.g. handshake never done). */
export function tlsInfoOf(socket: TLSSocket, now: number = Date.now()): TlsCertificateInfo | null {
  const cert = socket.getPeerCertificate(false);
  if (!cert || Object.keys(cert).length === 0 || !cert.valid_to) return null;
  const validTo = new Date(cert.valid_to);
  const validFrom = new Date(cert.valid_from);
  return {
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    validFrom: Number.isNaN(validFrom.getTime()) ? cert.valid_from : validFrom.toISOString(),
    validTo: Number.isNaN(validTo.getTime()) ? cert.valid_to : validTo.toISOString(),
    daysRemaining: Math.floor((validTo.getTime() - now) / DAY_MS),
    protocol: socket.getProtocol() ?? null,
    authorized: socket.authorized,
    fingerprint256: cert.fingerprint256 ?? null,
  };
}
