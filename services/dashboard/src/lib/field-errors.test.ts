import { describe, expect, it } from "vitest";
import { emptyForm } from "./form-model.ts";
import { mapIssuesToFields } from "./field-errors.ts";

const FIELDS = new Set(Object.keys(emptyForm()));

describe("mapIssuesToFields", () => {
  it("puts a top-level issue on its field", () => {
    const r = mapIssuesToFields([{ field: "timeout", rule: "too_small", message: "must be >= 100" }], FIELDS);
    expect(r.fields).toEqual({ timeout: "must be >= 100" });
    expect(r.unmatched).toEqual([]);
  });

  it("maps nested health-check and header paths onto the flat form fields", () => {
    const r = mapIssuesToFields(
      [
        { field: "healthCheck.intervalSeconds", rule: "too_small", message: "must be >= 10" },
        { field: "headers.X-Bad", rule: "invalid", message: "header value must not contain CR or LF" },
        { field: "config.failureThreshold", rule: "too_big", message: "must be <= 100" },
      ],
      FIELDS,
    );
    expect(r.fields.intervalSeconds).toBe("must be >= 10");
    expect(r.fields.headers).toBe("X-Bad: header value must not contain CR or LF");
    expect(r.fields.config).toBe("failureThreshold: must be <= 100");
  });

  it("puts failure window issues on the two window inputs", () => {
    const r = mapIssuesToFields(
      [
        { field: "failureWindow.failures", rule: "custom", message: "failures must be at most of" },
        { field: "failureWindow.of", rule: "too_big", message: "must be <= 100" },
        { field: "recoveryThreshold", rule: "too_small", message: "must be >= 1" },
      ],
      FIELDS,
    );
    expect(r.fields).toEqual({
      windowFailures: "failures must be at most of",
      windowOf: "must be <= 100",
      recoveryThreshold: "must be >= 1",
    });
  });

  it("joins several issues on one field and keeps unknown fields for a form-level alert", () => {
    const r = mapIssuesToFields(
      [
        { field: "endpoint", rule: "url", message: "endpoint must be an absolute URL" },
        { field: "endpoint", rule: "url_scheme", message: "scheme must be mllp" },
        { field: "mystery", rule: "unrecognized_keys", message: "unknown field" },
        { field: "(body)", rule: "json", message: "body must be valid JSON" },
      ],
      FIELDS,
    );
    expect(r.fields.endpoint).toBe("must be an absolute URL; scheme must be mllp");
    expect(r.unmatched.map((u) => u.field)).toEqual(["mystery", "(body)"]);
  });

  it("drops a field-path prefix the API put in the message", () => {
    const r = mapIssuesToFields(
      [
        {
          field: "healthCheck.intervalSeconds",
          rule: "too_small",
          message: "healthCheck.intervalSeconds Too small",
        },
        { field: "headers.Bad Name", rule: "invalid_key", message: "headers.Bad Name Invalid key in record" },
      ],
      FIELDS,
    );
    expect(r.fields).toEqual({ intervalSeconds: "Too small", headers: "Bad Name: Invalid key in record" });
  });

  it("copes with no details", () => {
    expect(mapIssuesToFields(undefined, FIELDS)).toEqual({ fields: {}, unmatched: [] });
  });
});
