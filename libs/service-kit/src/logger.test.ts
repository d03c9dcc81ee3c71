import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACT_PATHS } from "./logger.ts";

describe("logger redaction", () => {
  it("censors secret fields at the depths services log them", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[REDACTED]" } }, sink);
    log.info(
      {
        password: "p1-secret",
        integration: { apiKey: "k1-secret", name: "ok" },
        headers: { authorization: "Bearer t1-secret" },
      },
      "x",
    );
    log.info(
      { req: { headers: { authorization: "Bearer t2-secret" } }, spec: { clientSecret: "c-secret" } },
      "y",
    );
    const out = lines.join("");
    for (const s of ["p1-secret", "k1-secret", "t1-secret", "t2-secret", "c-secret"])
      expect(out).not.toContain(s);
    expect(out).toContain('"name":"ok"');
  });
});
