import { describe, expect, it } from "vitest";
import { z } from "zod";
import { EnvError, parseEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { ShutdownRegistry } from "./shutdown.ts";

const logger = createLogger({ name: "test", level: "silent" });

describe("ShutdownRegistry", () => {
  it("runs phases in order intake -> drain -> postgres -> brokers, once", async () => {
    const order: string[] = [];
    const reg = new ShutdownRegistry(logger, 2000);
    reg.register("brokers", "kafka", () => void order.push("kafka"));
    reg.register("postgres", "pg", () => void order.push("pg"));
    reg.register("intake", "http", async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push("http");
    });
    reg.register("drain", "workers", () => void order.push("workers"));
    await Promise.all([reg.shutdown("test"), reg.shutdown("again")]);
    expect(order).toEqual(["http", "workers", "pg", "kafka"]);
  });

  it("a hung hook does not block later phases past the deadline", async () => {
    const order: string[] = [];
    const reg = new ShutdownRegistry(logger, 200);
    reg.register("drain", "stuck", () => new Promise(() => {}));
    reg.register("brokers", "redis", () => void order.push("redis"));
    await reg.shutdown("test");
    expect(order).toEqual(["redis"]);
  });
});

describe("parseEnv", () => {
  it("names every bad variable", () => {
    expect(() => parseEnv({ PORT: z.coerce.number().int(), DATABASE_URL: z.url() }, { PORT: "abc" })).toThrow(
      EnvError,
    );
    try {
      parseEnv({ PORT: z.coerce.number().int(), DATABASE_URL: z.url() }, { PORT: "abc" });
    } catch (err) {
      expect(String(err)).toContain("PORT");
      expect(String(err)).toContain("DATABASE_URL");
    }
  });
});

describe("zodIssues", () => {
  it("tells a missing field from a wrong type", async () => {
    const { zodIssues } = await import("./errors.ts");
    const schema = z.strictObject({ name: z.string(), timeout: z.number().int() });
    const r = schema.safeParse({ timeout: "slow" });
    const issues = r.success ? [] : zodIssues(r.error);
    expect(issues.find((i) => i.field === "name")?.rule).toBe("required");
    expect(issues.find((i) => i.field === "timeout")?.rule).toBe("invalid_type");
  });
});
