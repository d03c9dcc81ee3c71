import type { HttpResponse } from "@hip/net-guard";
import type { ProbeConfig } from "../config.ts";
import { ProbeFailure } from "../types.ts";

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

function expected(status: number, want: ProbeConfig["expectedStatus"]): boolean {
  if (want === undefined) return status >= 200 && status < 300;
  return Array.isArray(want) ? want.includes(status) : status === want;
}

/** Fails unless the status is expected (default 2xx). 401/403 are AUTH_FAILED; 5xx/429/408 are retryable. */
export function checkStatus(res: HttpResponse, want: ProbeConfig["expectedStatus"]): void {
  if (expected(res.status, want)) return;
  const wanted = want === undefined ? "2xx" : Array.isArray(want) ? want.join("|") : String(want);
  const auth = res.status === 401 || res.status === 403;
  throw new ProbeFailure(
    auth ? "AUTH_FAILED" : "HTTP_STATUS",
    auth ? "auth" : "application",
    `HTTP ${res.status}${auth ? " (credentials refused)" : ""}; expected ${wanted}`,
    { retryable: RETRYABLE_STATUS.has(res.status), diagnostics: { httpStatus: res.status } },
  );
}

/**
 * Reads a value at a JSONPath-like path: `$.a.b[0].c`, `a.b.0.c`, `$['a']["b"]`. Returns `undefined` when absent.
 */
export function readJsonPath(doc: unknown, path: string): unknown {
  const tokens: string[] = [];
  const re = /\[(\d+)\]|\[['"]([^'"]*)['"]\]|([^.[\]]+)/g;
  const body = path.trim().replace(/^\$\.?/, "");
  for (const m of body.matchAll(re)) tokens.push(m[1] ?? m[2] ?? m[3] ?? "");
  let cur: unknown = doc;
  for (const t of tokens) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = Array.isArray(cur) ? cur[Number(t)] : (cur as Record<string, unknown>)[t];
  }
  return cur;
}

function show(v: unknown): string {
  const s = v === undefined ? "undefined" : JSON.stringify(v);
  return s.length > 100 ? `${s.slice(0, 100)}…` : s;
}

/**
 * What was found, without the value: its JSON type and size. The peer may be an allowlisted internal service, and
 * echoing its answer would let a tenant read that service through failure messages.
 */
export function describeFound(v: unknown): string {
  if (v === undefined) return "absent";
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length} item${v.length === 1 ? "" : "s"}`;
  switch (typeof v) {
    case "string":
      return `a string of ${v.length} character${v.length === 1 ? "" : "s"}`;
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object": {
      const n = Object.keys(v).length;
      return `an object with ${n} key${n === 1 ? "" : "s"}`;
    }
    default:
      return `a ${typeof v}`;
  }
}

/** A body condition could not be judged because the answer was cut at the probe's buffer cap. */
function tooLarge(res: HttpResponse, what: string): ProbeFailure {
  return new ProbeFailure(
    "RESPONSE_TOO_LARGE",
    "protocol",
    `response body is larger than the ${res.body.length} bytes the probe reads; cannot evaluate ${what}`,
    { diagnostics: { httpStatus: res.status, bodyBytes: res.body.length, bodyTruncated: true } },
  );
}

/**
 * Optional body conditions: substring, and JSON path equals. On a body cut at the cap, a substring found in the
 * part read still counts; anything else is RESPONSE_TOO_LARGE, never a verdict on half a document.
 */
export function checkBody(res: HttpResponse, cfg: ProbeConfig): Record<string, unknown> {
  const facts: Record<string, unknown> = {};
  if (cfg.bodyContains === undefined && cfg.jsonPath === undefined) return facts;
  const text = res.body.toString("utf8");
  if (cfg.bodyContains !== undefined) {
    if (!text.includes(cfg.bodyContains)) {
      if (res.truncated) throw tooLarge(res, "bodyContains");
      throw new ProbeFailure(
        "BODY_MISMATCH",
        "application",
        "response body does not contain the expected text",
        {
          diagnostics: { httpStatus: res.status },
        },
      );
    }
    facts.bodyContains = true;
  }
  if (cfg.jsonPath !== undefined) {
    if (res.truncated) throw tooLarge(res, "jsonPath");
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new ProbeFailure(
        "BODY_MISMATCH",
        "application",
        "response body is not JSON; cannot evaluate jsonPath",
        {
          diagnostics: { httpStatus: res.status },
        },
      );
    }
    const actual = readJsonPath(doc, cfg.jsonPath);
    if (cfg.jsonEquals !== undefined && actual !== cfg.jsonEquals) {
      throw new ProbeFailure(
        "BODY_MISMATCH",
        "application",
        `${cfg.jsonPath} is ${describeFound(actual)}; expected ${show(cfg.jsonEquals)}`,
        { diagnostics: { httpStatus: res.status } },
      );
    }
    if (cfg.jsonEquals === undefined && actual === undefined) {
      throw new ProbeFailure("BODY_MISMATCH", "application", `${cfg.jsonPath} is absent from the response`, {
        diagnostics: { httpStatus: res.status },
      });
    }
    facts.jsonPathMatched = true;
  }
  return facts;
}
