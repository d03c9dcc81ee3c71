import { SECRET_HEADER_PATTERN } from "@hip/contracts";
import { type DestinationStream, pino, type Logger, type LoggerOptions } from "pino";

/**
 * Paths pino censors wherever they appear. Covers the integration secret fields at any depth we log them,
 * HTTP auth headers, and connection specs. Secrets must never be logged; this is the second wall.
 */
export const REDACT_PATHS = [
  "password",
  "apiKey",
  "apiSecret",
  "token",
  "clientSecret",
  "secret",
  "*.password",
  "*.apiKey",
  "*.apiSecret",
  "*.token",
  "*.clientSecret",
  "*.secret",
  "*.*.password",
  "*.*.apiKey",
  "*.*.apiSecret",
  "*.*.token",
  "*.*.clientSecret",
  "headers.authorization",
  "headers.cookie",
  "headers['x-api-key']",
  "*.headers.authorization",
  "*.headers.cookie",
  "*.headers['x-api-key']",
  "req.headers.authorization",
  "req.headers.cookie",
  "spec",
  "*.spec",
  "connectionSpec",
  "body",
  "*.body",
];

const REDACTED = "[REDACTED]";

/**
 * A request URL safe to log: the value of every query parameter whose name is secret by the one rule of
 * @hip/contracts (`access_token`, `token`, `api_key`, `client_secret`, `signature`, ...) is replaced. Browsers'
 * EventSource sends the JWT as `?access_token=`, on any path a client chooses.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split("&")
    .map((part) => {
      const eq = part.indexOf("=");
      const rawName = eq < 0 ? part : part.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, " "));
      } catch {
        // undecodable name: judged as written
      }
      return eq >= 0 && SECRET_HEADER_PATTERN.test(name) ? `${rawName}=${REDACTED}` : part;
    })
    .join("&");
  return `${url.slice(0, q)}?${query}`;
}

/** Keys of an error (or its causes) that carry query parameters or row values: never logged. */
const ERROR_DATA_KEYS = ["params", "parameters", "values", "detail", "where"];
/** drizzle's DrizzleQueryError puts the parameters in its message (and so its stack): `Failed query: …\nparams: …`. */
const PARAMS_IN_TEXT = /\nparams: [\s\S]*?(?=\n\s+at |\ncaused by|$)/g;

const scrubText = (text: string) => text.replace(PARAMS_IN_TEXT, `\nparams: ${REDACTED}`);

/** A copy of the error (same prototype, so its type name stays) and of its causes, without the data keys. */
function scrubError(err: Error, depth = 0): Error {
  const clean = Object.assign(Object.create(Object.getPrototypeOf(err)) as Error, err);
  for (const key of ERROR_DATA_KEYS)
    if (key in clean) (clean as unknown as Record<string, unknown>)[key] = REDACTED;
  const own = (key: string, value: unknown) =>
    Object.defineProperty(clean, key, { value, enumerable: false, writable: true, configurable: true });
  own("message", scrubText(err.message));
  if (typeof err.stack === "string") own("stack", scrubText(err.stack));
  if (err.cause instanceof Error && depth < 5) own("cause", scrubError(err.cause, depth + 1));
  return clean;
}

/** Errors as pino serializes them, without SQL parameters (drizzle, pg) anywhere in them. */
export function serializeError(err: unknown): unknown {
  return err instanceof Error ? pino.stdSerializers.err(scrubError(err)) : err;
}

interface LoggableRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/** Serializers of every service logger: request URLs with secret query values redacted, errors without params. */
export const LOG_SERIALIZERS = {
  req: (req: LoggableRequest) => ({
    method: req.method,
    url: typeof req.url === "string" ? redactUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  }),
  err: serializeError,
  error: serializeError,
};

/** The one logger factory. `destination` (tests) receives the JSON lines instead of stdout. */
export function createLogger(
  opts: { name: string; level?: string } & LoggerOptions,
  destination?: DestinationStream,
): Logger {
  const { name, level, serializers, ...rest } = opts;
  const options: LoggerOptions = {
    name,
    level: level ?? "info",
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...rest,
    serializers: { ...LOG_SERIALIZERS, ...serializers },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
