import { logLevel, type logCreator } from "kafkajs";
import type { Logger } from "pino";

/** The same kafkajs error or warning is logged at most once per window; the next line says how many were held back. */
const REPEAT_WINDOW_MS = 10_000;

/**
 * Routes kafkajs' own logs into the service's pino logger (JSON, same redaction). During a broker outage the client
 * retries every second or so (KAFKA_RETRY_MAX_MS) and would log each failed attempt with a stack; repeats of one
 * message (per consumer group) are folded into one line per 10 s with a `repeated` count.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: "kafkajs" });
  const recent = new Map<string, { at: number; held: number }>();
  const shouldLog = (key: string): number | null => {
    const now = Date.now();
    const seen = recent.get(key);
    if (seen && now - seen.at < REPEAT_WINDOW_MS) {
      seen.held++;
      return null;
    }
    const held = seen?.held ?? 0;
    recent.set(key, { at: now, held: 0 });
    if (recent.size > 500) recent.clear();
    return held;
  };
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      if (level === logLevel.ERROR || level === logLevel.NOTHING || level === logLevel.WARN) {
        const held = shouldLog(`${level}:${String(extra.groupId ?? "")}:${message}`);
        if (held === null) return;
        const fields = held > 0 ? { ...extra, repeated: held } : extra;
        if (level === logLevel.WARN) child.warn(fields, message);
        else child.error(fields, message);
        return;
      }
      if (level === logLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
    };
}
