import { BlockList, isIPv4, isIPv6 } from "node:net";
import { normalizeIpv4 } from "./ip.ts";

export interface Cidr {
  network: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a /32 or /128). Throws with the offending entry. */
export function parseCidr(entry: string): Cidr {
  const text = entry.trim();
  const slash = text.indexOf("/");
  const rawAddr = (slash === -1 ? text : text.slice(0, slash)).replace(/^\[|\]$/g, "");
  const rawPrefix = slash === -1 ? null : text.slice(slash + 1);
  const v4 = isIPv4(rawAddr) ? rawAddr : null;
  const family = v4 ? "ipv4" : isIPv6(rawAddr) ? "ipv6" : null;
  if (!family || (family === "ipv4" && normalizeIpv4(rawAddr) === null)) {
    throw new Error(`invalid CIDR "${entry}": not an IP address`);
  }
  const max = family === "ipv4" ? 32 : 128;
  const prefix = rawPrefix === null ? max : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new Error(`invalid CIDR "${entry}": prefix must be 0..${max}`);
  }
  return { network: family === "ipv6" ? rawAddr.toLowerCase() : rawAddr, prefix, family };
}

/**
 * Parses PROBE_ALLOWED_CIDRS (comma or whitespace separated). Empty/undefined = no private ranges allowed.
 * Throws on an invalid entry so a typo fails the worker at start-up instead of silently allowing nothing.
 */
export function parseAllowedCidrs(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[\s,]+/)
    .filter((s) => s.length > 0)
    .map((s) => {
      const c = parseCidr(s);
      return `${c.network}/${c.prefix}`;
    });
}

export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of cidrs) {
    const c = parseCidr(entry);
    list.addSubnet(c.network, c.prefix, c.family);
  }
  return list;
}
