import { isIPv4, isIPv6 } from "node:net";

export type IpFamily = 4 | 6;
export interface ParsedIp {
  address: string;
  family: IpFamily;
}

/** One inet_aton / WHATWG number part: 0x.. hex, leading 0 octal, else decimal. Null when not a number. */
function parseIpv4Part(part: string): number | null {
  if (part === "") return null;
  let radix = 10;
  let digits = part;
  if (/^0x/i.test(part)) {
    radix = 16;
    digits = part.slice(2);
    if (digits === "") return 0;
  } else if (part.length > 1 && part.startsWith("0")) {
    radix = 8;
    digits = part.slice(1);
  }
  const re = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(digits)) return null;
  const n = Number.parseInt(digits, radix);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Parses every IPv4 spelling inet_aton and the WHATWG URL host parser accept — `2852039166`, `0xA9FEA9FE`,
 * `0251.0376.0251.0376`, `169.254.43518`, `127.1`, a trailing dot — into dotted-quad form. Null when the host
 * is not an IPv4 literal in any of those spellings (then it is a DNS name or IPv6).
 */
export function normalizeIpv4(host: string): string | null {
  let parts = host.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts = parts.slice(0, -1);
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    const n = parseIpv4Part(p);
    if (n === null) return null;
    nums.push(n);
  }
  const last = nums[nums.length - 1] ?? 0;
  const head = nums.slice(0, -1);
  if (head.some((n) => n > 255)) return null;
  if (last >= 256 ** (5 - nums.length)) return null;
  let value = last;
  head.forEach((n, i) => {
    value += n * 256 ** (3 - i);
  });
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}

/** Expands an IPv6 literal (no zone id) to eight 16-bit groups. */
export function ipv6Groups(address: string): number[] | null {
  if (!isIPv6(address)) return null;
  let text = address.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const o = v4[1].split(".").map(Number);
    const [a = 0, b = 0, c = 0, d = 0] = o;
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = "", right] = text.split("::");
  const l = left === "" ? [] : left.split(":");
  const r = right === undefined || right === "" ? [] : right.split(":");
  const fill = right === undefined ? 0 : 8 - l.length - r.length;
  const groups = [...l, ...Array.from({ length: fill }, () => "0"), ...r].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g)) ? groups : null;
}

function groupsToV4(hi: number, lo: number): string {
  return [hi >>> 8, hi & 255, lo >>> 8, lo & 255].join(".");
}

/**
 * The IPv4 address an IPv6 address carries when the network would deliver it to that IPv4 host: IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96) and
 * 6to4 (2002::/16). These forms must be judged by the IPv4 rules or `[::ffff:169.254.169.254]` walks past them.
 */
export function embeddedIpv4(address: string): string | null {
  const g = ipv6Groups(address);
  if (!g) return null;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(5) && g5 === 0xffff) return groupsToV4(g6, g7);
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return groupsToV4(g6, g7);
  if (zeroTo(6) && (g6 !== 0 || g7 > 1)) return groupsToV4(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return groupsToV4(g6, g7);
  if (g0 === 0x2002) return groupsToV4(g1, g2);
  return null;
}

/**
 * Turns a URL hostname (possibly bracketed IPv6, or any IPv4 spelling) into an IP literal, or null when it is a
 * DNS name. Zone ids (`fe80::1%eth0`) are refused by the caller: they are never a legitimate probe target.
 */
export function parseIpLiteral(hostname: string): ParsedIp | null {
  const h = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  if (isIPv6(h)) return { address: h.toLowerCase(), family: 6 };
  if (isIPv4(h)) return { address: h, family: 4 };
  const v4 = normalizeIpv4(h);
  return v4 ? { address: v4, family: 4 } : null;
}
