import { describe, expect, it } from "vitest";
import { parseAllowedCidrs } from "./cidr.ts";

describe("parseAllowedCidrs", () => {
  it("parses comma and space separated entries, bare addresses become host routes", () => {
    expect(parseAllowedCidrs("127.0.0.0/8, ::1/128 10.1.2.3")).toEqual([
      "127.0.0.0/8",
      "::1/128",
      "10.1.2.3/32",
    ]);
  });

  it("empty or undefined allows nothing extra", () => {
    expect(parseAllowedCidrs(undefined)).toEqual([]);
    expect(parseAllowedCidrs("  ")).toEqual([]);
  });

  it.each(["10.0.0.0/33", "10.0.0/8", "foo/8", "::1/129", "10.0.0.0/x"])("rejects %s", (bad) => {
    expect(() => parseAllowedCidrs(bad)).toThrow(/invalid CIDR/);
  });
});
