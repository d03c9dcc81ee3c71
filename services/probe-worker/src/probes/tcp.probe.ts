import { type Connection, openConnection } from "@hip/net-guard";
import { type AttemptEnv, failed, succeeded } from "./attempt.ts";
import { type AttemptOutcome, ProbeFailure } from "./types.ts";

export interface HostPort {
  hostname: string;
  port: number;
  tls: boolean;
}

/** host and port of a `scheme://host:port` endpoint; `tls` for the `s`-suffixed schemes or config.tls. */
export function hostPortOf(endpoint: string | null, defaultPort: number | null, tlsConfig = false): HostPort {
  if (!endpoint) throw new ProbeFailure("INVALID_URL", "connect", "the integration has no endpoint");
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new ProbeFailure("INVALID_URL", "connect", "endpoint is not a valid URL");
  }
  const tls = tlsConfig || ["mllps:", "https:", "tcps:", "dicoms:"].includes(u.protocol);
  const port = u.port
    ? Number(u.port)
    : u.protocol === "https:"
      ? 443
      : u.protocol === "http:"
        ? 80
        : defaultPort;
  if (!u.hostname || port === null || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new ProbeFailure("INVALID_URL", "connect", "endpoint must name a host and a port");
  }
  return { hostname: u.hostname, port, tls };
}

/** Opens the SSRF-checked TCP (or TLS) connection every socket-level probe starts with. */
export function connectTo(env: AttemptEnv, target: HostPort): Promise<Connection> {
  return openConnection({
    hostname: target.hostname,
    port: target.port,
    tls: target.tls ? { rejectUnauthorized: env.cfg.tlsRejectUnauthorized ?? true } : null,
    allowedCidrs: env.ctx.allowedCidrs,
    signal: env.signal,
    lookup: env.lookup,
  });
}

/** Fallback probe: a TCP (or TLS) connection is accepted. */
export async function tcpProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  try {
    const target = hostPortOf(env.spec.endpoint ?? env.spec.webhookUrl, null, env.cfg.tls ?? false);
    const conn = await connectTo(env, target);
    conn.socket.destroy();
    return succeeded(env, "tcp", {
      timings: { dnsMs: conn.dnsMs, connectMs: conn.connectMs, tlsMs: conn.tlsMs },
      tls: conn.tls,
      diagnostics: { remoteAddress: conn.target.address, port: target.port, tls: target.tls },
    });
  } catch (err) {
    return failed(env, "tcp", err);
  }
}
