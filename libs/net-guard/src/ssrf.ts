import { lookup as dnsLookup } from "node:dns/promises";
import type { BlockList } from "node:net";
import { blockListOf } from "./cidr.ts";
import { ProbeFailure } from "./failure.ts";
import { embeddedIpv4, type IpFamily, parseIpLiteral } from "./ip.ts";

/** Refused even when an operator allowlists them: link-local (cloud metadata lives there) and "this network". */
const ALWAYS_BLOCKED = [
  "0.0.0.0/8",
  "169.254.0.0/16",
  "100.100.100.200/32", // Alibaba Cloud metadata
  "255.255.255.255/32",
  "::/128",
  "fe80::/10",
  "fd00:ec2::254/128", // AWS IMDS over IPv6
];

/** Refused unless inside PROBE_ALLOWED_CIDRS: loopback, private, shared, multicast, reserved, documentation. */
const BLOCKED_UNLESS_ALLOWED = [
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::1/128",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "3fff::/20",
  "fc00::/7",
  "fec0::/10",
  "ff00::/8",
];

const alwaysBlocked = blockListOf(ALWAYS_BLOCKED);
const blockedUnlessAllowed = blockListOf(BLOCKED_UNLESS_ALLOWED);

export type AddressVerdict = "allowed" | "blocked" | "always-blocked";

export interface SsrfPolicy {
  allowed: BlockList;
}

const policyCache = new Map<string, SsrfPolicy>();

export function policyFor(allowedCidrs: readonly string[]): SsrfPolicy {
  const key = allowedCidrs.join(",");
  let policy = policyCache.get(key);
  if (!policy) {
    policy = { allowed: blockListOf(allowedCidrs) };
    if (policyCache.size > 64) policyCache.clear();
    policyCache.set(key, policy);
  }
  return policy;
}

function verdictOne(address: string, family: IpFamily, policy: SsrfPolicy): AddressVerdict {
  const type = family === 4 ? "ipv4" : "ipv6";
  if (alwaysBlocked.check(address, type)) return "always-blocked";
  if (blockedUnlessAllowed.check(address, type) && !policy.allowed.check(address, type)) return "blocked";
  return "allowed";
}

/**
 * Judges one resolved address. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
 * also judged by the IPv4 they carry, and the stricter verdict wins.
 */
export function checkAddress(address: string, family: IpFamily, policy: SsrfPolicy): AddressVerdict {
  if (address.includes("%")) return "always-blocked";
  const own = verdictOne(address, family, policy);
  if (family === 4) return own;
  const v4 = embeddedIpv4(address);
  if (!v4) return own;
  const inner = verdictOne(v4, 4, policy);
  const rank = { allowed: 0, blocked: 1, "always-blocked": 2 } as const;
  return rank[inner] >= rank[own] ? inner : own;
}

export interface ResolvedTarget {
  hostname: string;
  address: string;
  family: IpFamily;
  /** Null when the host was an IP literal (no lookup happened). */
  dnsMs: number | null;
}

export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }[]>;

const defaultLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function blocked(hostname: string, address: string, stage: "dns" | "connect"): ProbeFailure {
  return new ProbeFailure(
    "SSRF_BLOCKED",
    stage,
    `refused to connect to ${hostname} (${address}): address is not allowed for probes` +
      " (private, loopback, link-local, metadata or reserved range; see PROBE_ALLOWED_CIDRS)",
    { diagnostics: { blockedAddress: address } },
  );
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Resolves `hostname` once and returns the one address to connect to. Every spelling of an IP literal is
 * normalized first; every resolved address is judged; an answer containing an always-blocked address is
 * refused outright (a rebinding tell), otherwise the first allowed address is used. Callers must connect to
 * `address` (never re-resolve `hostname`), so the checked address is the connected address.
 */
export async function resolveTarget(
  rawHostname: string,
  opts: { allowedCidrs: readonly string[]; signal?: AbortSignal; lookup?: LookupFn },
): Promise<ResolvedTarget> {
  const hostname = rawHostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "")
    .toLowerCase();
  const policy = policyFor(opts.allowedCidrs);
  if (hostname === "" || hostname.includes("%")) throw blocked(rawHostname, hostname, "dns");
  const literal = parseIpLiteral(hostname);
  if (literal) {
    if (checkAddress(literal.address, literal.family, policy) !== "allowed") {
      throw blocked(rawHostname, literal.address, "dns");
    }
    return { hostname, address: literal.address, family: literal.family, dnsMs: null };
  }
  const started = performance.now();
  let answers: { address: string; family: number }[];
  try {
    answers = await raceAbort((opts.lookup ?? defaultLookup)(hostname), opts.signal);
  } catch (err) {
    if (opts.signal?.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "";
    throw new ProbeFailure(
      "DNS_FAILED",
      "dns",
      `could not resolve ${hostname} (${code || "lookup failed"})`,
      {
        retryable: code === "EAI_AGAIN" || code === "ETIMEOUT" || code === "ESERVFAIL",
      },
    );
  }
  const dnsMs = performance.now() - started;
  if (answers.length === 0) throw new ProbeFailure("DNS_FAILED", "dns", `${hostname} has no addresses`);
  let firstAllowed: { address: string; family: IpFamily } | null = null;
  let firstBlocked: string | null = null;
  for (const a of answers) {
    const family: IpFamily = a.family === 6 ? 6 : 4;
    const verdict = checkAddress(a.address, family, policy);
    if (verdict === "always-blocked") throw blocked(hostname, a.address, "dns");
    if (verdict === "allowed" && !firstAllowed) firstAllowed = { address: a.address, family };
    if (verdict === "blocked" && !firstBlocked) firstBlocked = a.address;
  }
  if (!firstAllowed) throw blocked(hostname, firstBlocked ?? "unknown", "dns");
  return { hostname, ...firstAllowed, dnsMs };
}
