import { logLevel, type logCreator } from "kafkajs";
import type { Logger } from "pino";

/** Routes kafkajs' own logs into the service's pino logger (JSON, same redaction). */
export function pinoLogCreator(logger: Logger): logCreator {
  const child = logger.child({ component: "kafkajs" });
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      switch (level) {
        case logLevel.ERROR:
        case logLevel.NOTHING:
          child.error(extra, message);
          break;
        case logLevel.WARN:
          child.warn(extra, message);
          break;
        case logLevel.INFO:
          child.info(extra, message);
          break;
        default:
          child.debug(extra, message);
      }
    };
}
