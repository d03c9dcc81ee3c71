import { pino, type Logger, type LoggerOptions } from "pino";

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

export function createLogger(opts: { name: string; level?: string } & LoggerOptions): Logger {
  const { name, level, ...rest } = opts;
  return pino({
    name,
    level: level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[REDACTED]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...rest,
  });
}

export type { Logger };
