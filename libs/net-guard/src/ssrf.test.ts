import { describe, expect, it } from "vitest";
import { ProbeFailure } from "./failure.ts";
import { checkAddress, policyFor, resolveTarget } from "./ssrf.ts";

const none = policyFor([]);
const loopback = policyFor(["127.0.0.0/8"]);
const everything = policyFor(["0.0.0.0/0", "::/0"]);

describe("checkAddress", () => {
  it.each([
    ["169.254.169.254", 4],
    ["169.254.0.1", 4],
    ["0.0.0.0", 4],
    ["fd00:ec2::254", 6],
    ["fe80::1", 6],
    ["::ffff:169.254.169.254", 6],
    ["::169.254.169.254", 6],
    ["64:ff9b::a9fe:a9fe", 6],
    ["100.100.100.200", 4],
  ] as const)("%s is refused even when everything is allowlisted", (addr, family) => {
    expect(checkAddress(addr, family, everything)).toBe("always-blocked");
  });

  it.each([
    ["127.0.0.1", 4],
    ["10.0.0.1", 4],
    ["172.16.5.4", 4],
    ["192.168.1.1", 4],
    ["100.64.0.1", 4],
    ["192.0.2.10", 4],
    ["198.51.100.7", 4],
    ["203.0.113.9", 4],
    ["224.0.0.1", 4],
    ["240.0.0.1", 4],
    ["::1", 6],
    ["fc00::1", 6],
    ["fd12:3456::1", 6],
    ["ff02::1", 6],
    ["2001:db8::1", 6],
    ["::ffff:10.0.0.1", 6],
  ] as const)("%s is refused by default and allowed when allowlisted", (addr, family) => {
    expect(checkAddress(addr, family, none)).toBe("blocked");
    expect(checkAddress(addr, family, everything)).toBe("allowed");
  });

  it("allowlisting one range does not open another", () => {
    expect(checkAddress("127.0.0.1", 4, loopback)).toBe("allowed");
    expect(checkAddress("::ffff:127.0.0.1", 6, loopback)).toBe("allowed");
    expect(checkAddress("10.0.0.1", 4, loopback)).toBe("blocked");
    expect(checkAddress("::1", 6, loopback)).toBe("blocked");
  });

  it("public addresses pass", () => {
    expect(checkAddress("93.184.216.34", 4, none)).toBe("allowed");
    expect(checkAddress("2606:4700::1111", 6, none)).toBe("allowed");
    expect(checkAddress("::ffff:93.184.216.34", 6, none)).toBe("allowed");
  });
});

async function refusal(p: Promise<unknown>): Promise<ProbeFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProbeFailure);
  return err as ProbeFailure;
}

describe("resolveTarget", () => {
  it("refuses a name resolving to a blocked address, and never asks DNS twice", async () => {
    let calls = 0;
    const lookup = async () => {
      calls++;
      return [{ address: "10.1.2.3", family: 4 }];
    };
    const f = await refusal(resolveTarget("internal.example", { allowedCidrs: [], lookup }));
    expect(f.code).toBe("SSRF_BLOCKED");
    expect(f.stage).toBe("dns");
    expect(calls).toBe(1);
  });

  it("refuses an answer that mixes a public and a metadata address (rebinding tell)", async () => {
    const lookup = async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "169.254.169.254", family: 4 },
    ];
    expect((await refusal(resolveTarget("evil.example", { allowedCidrs: [], lookup }))).code).toBe(
      "SSRF_BLOCKED",
    );
  });

  it("uses the first allowed address when others are merely not allowlisted", async () => {
    const lookup = async () => [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ];
    const t = await resolveTarget("localhost", { allowedCidrs: ["127.0.0.0/8"], lookup });
    expect(t).toMatchObject({ address: "127.0.0.1", family: 4, hostname: "localhost" });
    expect(t.dnsMs).not.toBeNull();
  });

  it("normalizes IP spellings without a lookup", async () => {
    const lookup = async () => {
      throw new Error("must not be called");
    };
    const t = await resolveTarget("0x7f.1", { allowedCidrs: ["127.0.0.0/8"], lookup });
    expect(t).toEqual({ hostname: "0x7f.1", address: "127.0.0.1", family: 4, dnsMs: null });
    for (const host of [
      "2852039166",
      "0xA9FEA9FE",
      "0251.0376.0251.0376",
      "[::ffff:169.254.169.254]",
      "[fd00:ec2::254]",
    ]) {
      expect((await refusal(resolveTarget(host, { allowedCidrs: ["0.0.0.0/0", "::/0"], lookup }))).code).toBe(
        "SSRF_BLOCKED",
      );
    }
  });

  it("reports DNS failures as DNS_FAILED", async () => {
    const lookup = async () => {
      throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
    };
    const f = await refusal(resolveTarget("no-such-host.invalid", { allowedCidrs: [], lookup }));
    expect(f.code).toBe("DNS_FAILED");
    expect(f.retryable).toBe(false);
  });
});
