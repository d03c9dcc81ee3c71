import { describe, expect, it } from "vitest";
import { embeddedIpv4, normalizeIpv4, parseIpLiteral } from "./ip.ts";

describe("normalizeIpv4 (inet_aton / WHATWG spellings)", () => {
  it.each([
    ["169.254.169.254", "169.254.169.254"],
    ["2852039166", "169.254.169.254"],
    ["0xA9FEA9FE", "169.254.169.254"],
    ["0xa9.0xfe.0xa9.0xfe", "169.254.169.254"],
    ["0251.0376.0251.0376", "169.254.169.254"],
    ["169.254.43518", "169.254.169.254"],
    ["169.16689662", "169.254.169.254"],
    ["127.1", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["10.0.0.1.", "10.0.0.1"],
    ["0", "0.0.0.0"],
  ])("%s -> %s", (input, out) => {
    expect(normalizeIpv4(input)).toBe(out);
  });

  it.each(["example.com", "1.2.3.4.5", "256.1.1.1", "4294967296", "08.1.1.1", "0xg1", "1..2", "", "a.b"])(
    "%s is not an IPv4 literal",
    (input) => {
      expect(normalizeIpv4(input)).toBeNull();
    },
  );
});

describe("embeddedIpv4", () => {
  it.each([
    ["::ffff:169.254.169.254", "169.254.169.254"],
    ["::ffff:a9fe:a9fe", "169.254.169.254"],
    ["::169.254.169.254", "169.254.169.254"],
    ["::ffff:0:a9fe:a9fe", "169.254.169.254"],
    ["64:ff9b::a9fe:a9fe", "169.254.169.254"],
    ["2002:a9fe:a9fe::1", "169.254.169.254"],
  ])("%s carries %s", (v6, v4) => {
    expect(embeddedIpv4(v6)).toBe(v4);
  });

  it("plain IPv6 carries nothing", () => {
    expect(embeddedIpv4("2606:4700::1111")).toBeNull();
    expect(embeddedIpv4("::1")).toBeNull();
    expect(embeddedIpv4("fd00:ec2::254")).toBeNull();
  });
});

describe("parseIpLiteral", () => {
  it("handles brackets, IPv6 case, IPv4 spellings and DNS names", () => {
    expect(parseIpLiteral("[::FFFF:169.254.169.254]")).toEqual({
      address: "::ffff:169.254.169.254",
      family: 6,
    });
    expect(parseIpLiteral("0xA9FEA9FE")).toEqual({ address: "169.254.169.254", family: 4 });
    expect(parseIpLiteral("metadata.google.internal")).toBeNull();
  });
});
