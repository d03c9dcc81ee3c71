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

describe("request URLs in logs", () => {
  it("redact every secret-named query parameter, on any path, and keep the rest", async () => {
    const { redactUrl } = await import("./logger.ts");
    expect(redactUrl("/api/integration/stats/stream/?access_token=eyJ.a.b&lastEventId=7")).toBe(
      "/api/integration/stats/stream/?access_token=[REDACTED]&lastEventId=7",
    );
    expect(redactUrl("/x?token=t&api_key=k&client%5Fsecret=s&Signature=g&q=lab")).toBe(
      "/x?token=[REDACTED]&api_key=[REDACTED]&client%5Fsecret=[REDACTED]&Signature=[REDACTED]&q=lab",
    );
    expect(redactUrl("/plain")).toBe("/plain");
  });

  it("the request log line of any service carries no token from the query string", async () => {
    const { createLogger } = await import("./logger.ts");
    const { buildServiceApp } = await import("./app.ts");
    const lines: string[] = [];
    const logger = createLogger({ name: "t", level: "info" }, { write: (l: string) => void lines.push(l) });
    const app = buildServiceApp({ name: "t", logger });
    app.get("/any/path/", async () => ({ ok: true }));
    await app.ready();
    const res = await app.inject({ url: "/any/path/?access_token=eyJhbGciOi.payload.sig&x=1" });
    expect(res.statusCode).toBe(200);
    const out = lines.join("");
    expect(out).toContain("/any/path/?access_token=[REDACTED]&x=1");
    expect(out).not.toContain("eyJhbGciOi");
    await app.close();
  });
});

describe("error logs", () => {
  class FakeQueryError extends Error {
    readonly query: string;
    readonly params: unknown[];
    constructor(query: string, params: unknown[], cause: Error) {
      super(`Failed query: ${query}\nparams: ${params.join(",")}`);
      this.query = query;
      this.params = params;
      this.cause = cause;
    }
  }

  it("never carry query parameters: not as a key, not in the message or stack, not in the cause", async () => {
    const { createLogger } = await import("./logger.ts");
    const { buildServiceApp } = await import("./app.ts");
    const lines: string[] = [];
    const logger = createLogger({ name: "t", level: "info" }, { write: (l: string) => void lines.push(l) });
    const app = buildServiceApp({ name: "t", logger });
    app.get("/boom", async () => {
      const cause = Object.assign(new Error("value too long for type character varying(10)"), {
        detail: "Failing row contains (row-value-77, PARAM-secret-42)",
      });
      throw new FakeQueryError(
        'insert into "x" ("a", "b") values ($1, $2)',
        ["row-value-77", "PARAM-secret-42"],
        cause,
      );
    });
    await app.ready();
    const res = await app.inject({ url: "/boom" });
    expect(res.statusCode).toBe(500);
    const out = lines.join("");
    expect(out).toContain('insert into \\"x\\"');
    expect(out).toContain("value too long");
    expect(out).toContain("FakeQueryError");
    expect(out).not.toContain("PARAM-secret-42");
    expect(out).not.toContain("row-value-77");
    await app.close();
  });
});
