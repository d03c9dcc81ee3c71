import { isSecretHeaderName, type PhaseTimings, type TlsCertificateInfo } from "@hip/contracts";
import { type IncomingHttpHeaders, type IncomingMessage, request as httpRequest } from "node:http";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { openConnection } from "./connect.ts";
import { abortFailure, failureFromError, ProbeFailure } from "./failure.ts";
import type { LookupFn } from "./ssrf.ts";

export interface HttpRequestOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Redirects to follow; 0 returns the 3xx itself. */
  maxRedirects: number;
  rejectUnauthorized: boolean;
  allowedCidrs: readonly string[];
  signal: AbortSignal;
  lookup?: LookupFn;
  maxBodyBytes?: number;
  /** Header names (lower-case) dropped when a redirect leaves the original origin (credentials). */
  sensitiveHeaders?: readonly string[];
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  /** Final URL after redirects. */
  url: URL;
  redirects: { status: number; location: string }[];
  timings: PhaseTimings;
  tls: TlsCertificateInfo | null;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const ALWAYS_SENSITIVE = ["authorization", "cookie", "proxy-authorization"];

/** A URL safe to report: no credentials, no query string (API keys travel there). */
export function safeUrl(u: URL): string {
  return `${u.protocol}//${u.host}${u.pathname}`;
}

function decoder(encoding: string | undefined) {
  switch ((encoding ?? "").trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      return createGunzip();
    case "deflate":
      return createInflate();
    case "br":
      return createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * Reads the (decoded) body up to `max` bytes with plain listeners (an async iterator per response costs a
 * promise per chunk). A connection closed before the end of the body is an error, as a stream's finish rule says.
 */
function readBody(res: IncomingMessage, max: number, signal: AbortSignal) {
  const dec = decoder(res.headers["content-encoding"]);
  const stream = dec ? res.pipe(dec) : res;
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  return new Promise<{ body: Buffer; truncated: boolean }>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null) => {
      if (settled) return;
      settled = true;
      stream.off("data", onData);
      res.destroy();
      dec?.destroy();
      if (!err) return resolve({ body: Buffer.concat(chunks, size), truncated });
      if (signal.aborted) return reject(abortFailure(signal, "reading the response body"));
      reject(
        new ProbeFailure("PROTOCOL_ERROR", "protocol", `failed to read the response body: ${err.message}`, {
          retryable: true,
        }),
      );
    };
    const onData = (chunk: Buffer) => {
      const room = max - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = max;
        truncated = true;
        return finish(null);
      }
      chunks.push(chunk);
      size += chunk.length;
    };
    stream.on("data", onData);
    stream.once("end", () => finish(null));
    stream.once("error", (err: Error) => finish(err));
    // 'close' follows 'end' on every response: build the error (a stack trace) only when it is one.
    stream.once("close", () => settled || finish(new Error("premature close")));
    // A decoder fails on its own stream; the response itself can still end early (connection reset).
    if (dec) {
      res.once("error", (err: Error) => finish(err));
      res.once("close", () => {
        if (!settled && !res.complete) finish(new Error("premature close"));
      });
    }
  });
}

interface Hop {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
  timings: Omit<PhaseTimings, "totalMs">;
  tls: TlsCertificateInfo | null;
}

async function hop(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  opts: HttpRequestOptions,
): Promise<Hop> {
  const https = url.protocol === "https:";
  const port = url.port ? Number(url.port) : https ? 443 : 80;
  const conn = await openConnection({
    hostname: url.hostname,
    port,
    tls: https ? { rejectUnauthorized: opts.rejectUnauthorized, alpn: ["http/1.1"] } : null,
    allowedCidrs: opts.allowedCidrs,
    signal: opts.signal,
    lookup: opts.lookup,
  });
  const base = { dnsMs: conn.dnsMs, connectMs: conn.connectMs, tlsMs: conn.tlsMs };
  const sentAt = performance.now();
  const fail = (err: unknown, during: string): ProbeFailure => {
    conn.socket.destroy();
    const f = opts.signal.aborted
      ? abortFailure(opts.signal, during)
      : /^HPE_/.test(String((err as NodeJS.ErrnoException).code))
        ? new ProbeFailure("PROTOCOL_ERROR", "protocol", `invalid HTTP response: ${(err as Error).message}`)
        : failureFromError(err, "protocol");
    f.timings = base;
    f.tls = conn.tls;
    return f;
  };
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest({
      createConnection: () => conn.socket,
      method,
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, connection: "close", ...headers },
      setHost: false,
    });
    req.once("response", resolve);
    req.once("error", (err) => reject(fail(err, "waiting for the response")));
    req.end(method === "GET" || method === "HEAD" ? undefined : body);
  });
  const firstByteMs = performance.now() - sentAt;
  const { body: resBody, truncated } =
    method === "HEAD"
      ? { body: Buffer.alloc(0), truncated: false }
      : await readBody(res, opts.maxBodyBytes ?? 1 << 20, opts.signal).catch((e) => {
          throw fail(e, "reading the response body");
        });
  conn.socket.destroy();
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: resBody,
    truncated,
    timings: { ...base, firstByteMs },
    tls: conn.tls,
  };
}

/**
 * One HTTP(S) exchange through the SSRF guard, following redirects up to `maxRedirects` with every hop
 * resolved and checked again. Credentials (`sensitiveHeaders`, and every header secret by `isSecretHeaderName`:
 * Authorization, Cookie, X-Api-Key, X-Credential, ...) are dropped when a redirect leaves the original origin. No connection reuse: each hop is a fresh, measured connection.
 */
export async function guardedHttpRequest(opts: HttpRequestOptions): Promise<HttpResponse> {
  const started = performance.now();
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new ProbeFailure("INVALID_URL", "connect", "endpoint is not a valid URL");
  }
  const origin = url.origin;
  let method = opts.method.toUpperCase();
  let headers = { ...opts.headers };
  let body = opts.body;
  const redirects: { status: number; location: string }[] = [];
  const sensitive = new Set([
    ...ALWAYS_SENSITIVE,
    ...(opts.sensitiveHeaders ?? []).map((h) => h.toLowerCase()),
  ]);
  for (;;) {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ProbeFailure("INVALID_URL", "connect", `unsupported URL scheme ${url.protocol}`);
    }
    let r: Hop;
    try {
      r = await hop(url, method, headers, body, opts);
    } catch (err) {
      if (err instanceof ProbeFailure && redirects.length > 0) {
        err.diagnostics.redirects = redirects;
        err.diagnostics.redirectedTo = safeUrl(url);
      }
      if (err instanceof ProbeFailure) err.timings.totalMs = performance.now() - started;
      throw err;
    }
    const location = r.headers.location;
    if (!REDIRECTS.has(r.status) || !location || opts.maxRedirects === 0) {
      return { ...r, url, redirects, timings: { ...r.timings, totalMs: performance.now() - started } };
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new ProbeFailure("INVALID_REDIRECT", "application", `redirect Location is not a valid URL`);
    }
    redirects.push({ status: r.status, location: safeUrl(next) });
    if (redirects.length > opts.maxRedirects) {
      throw new ProbeFailure(
        "TOO_MANY_REDIRECTS",
        "application",
        `more than ${opts.maxRedirects} redirects (last to ${safeUrl(next)})`,
        { diagnostics: { redirects } },
      );
    }
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      throw new ProbeFailure(
        "INVALID_REDIRECT",
        "application",
        `redirect to unsupported scheme ${next.protocol}`,
        {
          diagnostics: { redirects },
        },
      );
    }
    if (next.origin !== origin) {
      // Named credentials (API-key header under any name) and every secret-named header (@hip/contracts rule).
      headers = Object.fromEntries(
        Object.entries(headers).filter(([k]) => !sensitive.has(k.toLowerCase()) && !isSecretHeaderName(k)),
      );
    }
    if (r.status === 303 || ((r.status === 301 || r.status === 302) && method === "POST")) {
      if (method !== "HEAD") method = "GET";
      body = undefined;
      headers = Object.fromEntries(
        Object.entries(headers).filter(([k]) => !/^content-(type|length|encoding)$/i.test(k)),
      );
    }
    url = next;
  }
}
