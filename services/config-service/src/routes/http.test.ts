import type { FastifyRequest } from "fastify";
import { describe, expect, it } from "vitest";
import { parseIfMatch } from "./http.ts";

const req = (value?: string) =>
  ({ headers: value === undefined ? {} : { "if-match": value } }) as FastifyRequest;

describe("parseIfMatch", () => {
  it("reads strong, weak and bare versions; * and absent mean no precondition", () => {
    expect(parseIfMatch(req('"3"'))).toBe(3);
    expect(parseIfMatch(req('W/"12"'))).toBe(12);
    expect(parseIfMatch(req("7"))).toBe(7);
    expect(parseIfMatch(req("*"))).toBeUndefined();
    expect(parseIfMatch(req())).toBeUndefined();
  });
  it("rejects anything else naming the header and the rule", () => {
    expect(() => parseIfMatch(req('"abc"'))).toThrow(/If-Match/);
    try {
      parseIfMatch(req("x"));
    } catch (err) {
      expect((err as { details: unknown }).details).toEqual([
        expect.objectContaining({ field: "headers.if-match", rule: "etag" }),
      ]);
    }
    expect.assertions(2);
  });
});
