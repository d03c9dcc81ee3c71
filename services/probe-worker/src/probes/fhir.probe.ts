import type { HttpResponse } from "@hip/net-guard";
import { type AttemptEnv, succeeded } from "./attempt.ts";
import { joinUrl } from "./config.ts";
import { checkStatus } from "./http/checks.ts";
import { failWith } from "./http/http.probe.ts";
import { authedRequest, diagnosticsOf } from "./http/request.ts";
import { PROBE_BODY_CAPS } from "./limits.ts";
import { type AttemptOutcome, ProbeFailure } from "./types.ts";

/** FHIR release names to their version prefix (major.minor). */
const RELEASES: Record<string, string> = {
  DSTU2: "1.0",
  STU3: "3.0",
  R4: "4.0",
  R4B: "4.3",
  R5: "5.0",
  R6: "6.0",
};

/** `R4` -> `4.0`; `4.0.1` -> `4.0`; `4.0` -> `4.0`. Null when unrecognizable. */
export function fhirRelease(version: string): string | null {
  const named = RELEASES[version.trim().toUpperCase()];
  if (named) return named;
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  return m ? `${m[1]}.${m[2]}` : null;
}

interface Capability {
  resourceType?: unknown;
  fhirVersion?: unknown;
  software?: { name?: unknown; version?: unknown };
  implementation?: { description?: unknown };
  format?: unknown;
  rest?: { mode?: unknown; resource?: unknown[]; security?: { service?: unknown } }[];
}

const str = (v: unknown) => (typeof v === "string" ? v.slice(0, 200) : null);

function parseJson(res: HttpResponse, what: string): unknown {
  if (res.truncated) {
    throw new ProbeFailure(
      "RESPONSE_TOO_LARGE",
      "protocol",
      `${what} is larger than the ${res.body.length} bytes the probe reads`,
      { diagnostics: { bodyBytes: res.body.length, bodyTruncated: true } },
    );
  }
  try {
    return JSON.parse(res.body.toString("utf8"));
  } catch {
    throw new ProbeFailure("PROTOCOL_ERROR", "protocol", `${what} is not valid JSON`, {
      diagnostics: { contentType: res.headers["content-type"] ?? null },
    });
  }
}

async function smartDiscovery(env: AttemptEnv, base: string): Promise<Record<string, unknown>> {
  const res = await authedRequest(env, {
    url: joinUrl(base, ".well-known/smart-configuration"),
    method: "GET",
    headers: { accept: "application/json" },
    maxBodyBytes: PROBE_BODY_CAPS.small,
  });
  if (res.status < 200 || res.status >= 300) {
    throw new ProbeFailure(
      "SMART_DISCOVERY_FAILED",
      "application",
      `SMART configuration answered HTTP ${res.status}`,
      {
        retryable: res.status >= 500,
      },
    );
  }
  const doc = parseJson(res, "SMART configuration") as Record<string, unknown> | null;
  if (!doc || typeof doc !== "object" || typeof doc.token_endpoint !== "string") {
    throw new ProbeFailure(
      "SMART_DISCOVERY_FAILED",
      "application",
      "SMART configuration has no token_endpoint",
    );
  }
  const caps = Array.isArray(doc.capabilities) ? doc.capabilities.filter((c) => typeof c === "string") : [];
  return {
    tokenEndpoint: doc.token_endpoint,
    authorizationEndpoint: str(doc.authorization_endpoint),
    capabilities: caps.slice(0, 50),
  };
}

/** `GET [base]/metadata`: success only for a CapabilityStatement of the configured FHIR release. */
export async function fhirProbe(env: AttemptEnv): Promise<AttemptOutcome> {
  let res: HttpResponse | null = null;
  try {
    const base = env.spec.endpoint;
    if (!base) throw new ProbeFailure("INVALID_URL", "connect", "the integration has no endpoint");
    const url = /\/metadata\/?$/.test(new URL(base).pathname) ? base : joinUrl(base, "metadata");
    const fhirBase = url.replace(/\/metadata\/?(\?.*)?$/, "");
    res = await authedRequest(env, {
      url,
      method: "GET",
      headers: { accept: "application/fhir+json" },
      maxBodyBytes: PROBE_BODY_CAPS.fhirMetadata,
    });
    checkStatus(res, env.cfg.expectedStatus);
    const doc = parseJson(res, "metadata response") as Capability | null;
    const type = doc && typeof doc === "object" ? doc.resourceType : undefined;
    if (!doc || (type !== "CapabilityStatement" && type !== "Conformance")) {
      throw new ProbeFailure(
        "FHIR_NOT_CAPABILITY_STATEMENT",
        "protocol",
        `metadata returned ${typeof type === "string" ? `a ${type.slice(0, 64)}` : "no FHIR resource"}, not a CapabilityStatement`,
        { diagnostics: { resourceType: str(type) } },
      );
    }
    const server = doc.rest?.find((r) => r.mode === "server") ?? doc.rest?.[0];
    const diagnostics: Record<string, unknown> = {
      ...diagnosticsOf(res),
      resourceType: type,
      fhirVersion: str(doc.fhirVersion),
      software: { name: str(doc.software?.name), version: str(doc.software?.version) },
      resourceCount: Array.isArray(server?.resource) ? server.resource.length : 0,
      formats: Array.isArray(doc.format) ? doc.format.filter((f) => typeof f === "string").slice(0, 20) : [],
    };
    const want = env.cfg.fhirVersion;
    if (want) {
      const have = typeof doc.fhirVersion === "string" ? doc.fhirVersion : "";
      const wantRel = fhirRelease(want);
      if (!have || !wantRel || fhirRelease(have) !== wantRel) {
        throw new ProbeFailure(
          "FHIR_VERSION_MISMATCH",
          "protocol",
          `server speaks FHIR ${have || "(unknown)"}, but the integration is configured for ${want}` +
            (wantRel ? ` (${wantRel}.x)` : ""),
          { diagnostics },
        );
      }
    }
    if (env.cfg.smartDiscovery) diagnostics.smart = await smartDiscovery(env, fhirBase);
    return succeeded(env, "fhir", { timings: res.timings, tls: res.tls, diagnostics });
  } catch (err) {
    return failWith(env, "fhir", err, res);
  }
}
