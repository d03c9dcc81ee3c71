import { logLevel } from "kafkajs";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { pinoLogCreator } from "./kafka-logger.ts";

describe("kafkajs log routing", () => {
  it("folds repeats of one error per group into one line per window and keeps others", () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const log = pinoLogCreator(logger)(logLevel.DEBUG);
    const entry = (message: string, groupId = "g1") => ({
      namespace: "Connection",
      level: logLevel.ERROR,
      label: "ERROR",
      log: { timestamp: "", logger: "kafkajs", message, groupId },
    });
    for (let i = 0; i < 5; i++) log(entry("Connection error: connect ECONNREFUSED"));
    log(entry("Connection error: connect ECONNREFUSED", "g2"));
    log(entry("Crash: KafkaJSNumberOfRetriesExceeded"));
    log({ ...entry("Consumer has joined the group"), level: logLevel.INFO });
    expect(lines.map((l) => [l.msg, l.groupId])).toEqual([
      ["Connection error: connect ECONNREFUSED", "g1"],
      ["Connection error: connect ECONNREFUSED", "g2"],
      ["Crash: KafkaJSNumberOfRetriesExceeded", "g1"],
      ["Consumer has joined the group", "g1"],
    ]);
    expect(lines.every((l) => l.component === "kafkajs")).toBe(true);
  });
});
