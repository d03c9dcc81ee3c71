import { type HttpOptions, type HttpPeer, json, startHttp } from "./http.ts";

export interface FhirOptions extends HttpOptions {
  /** Base path of the FHIR endpoint (default `/fhir`): `GET {base}/metadata`. */
  basePath?: string;
  /** CapabilityStatement.fhirVersion (default 4.0.1, FHIR R4). */
  fhirVersion?: string;
  /** Resource types the server declares (default Patient, Encounter, Observation, DiagnosticReport). */
  resources?: string[];
}

export interface FhirPeer extends HttpPeer {
  /** The FHIR base URL (what an integration's endpoint is). */
  base: string;
}

const FHIR_JSON = "application/fhir+json";

function capabilityStatement(fhirVersion: string, resources: string[], base: string) {
  return {
    resourceType: "CapabilityStatement",
    status: "active",
    date: "2026-01-01",
    kind: "instance",
    fhirVersion,
    format: ["json"],
    software: { name: "HIP FHIR simulator", version: "1.0.0" },
    implementation: { description: "Simulated hospital FHIR server", url: base },
    rest: [
      {
        mode: "server",
        resource: resources.map((type) => ({
          type,
          interaction: [{ code: "read" }, { code: "search-type" }],
        })),
      },
    ],
  };
}

/**
 * A FHIR server reduced to what a connectivity check and a curious user touch: `GET [base]/metadata` answers a
 * CapabilityStatement (JSON), `GET [base]/<Type>` an empty searchset Bundle for declared types, anything else an
 * OperationOutcome 404.
 */
export async function startFhirServer(opts: FhirOptions = {}): Promise<FhirPeer> {
  const basePath = (opts.basePath ?? "/fhir").replace(/\/$/, "");
  const version = opts.fhirVersion ?? "4.0.1";
  const resources = opts.resources ?? ["Patient", "Encounter", "Observation", "DiagnosticReport"];
  let base = "";
  const peer = await startHttp((req, res) => {
    const path = (req.url.split("?")[0] ?? "").replace(/\/$/, "");
    if (req.method !== "GET" && req.method !== "HEAD") {
      return json(res, 405, outcome("not-supported", "read-only simulator"), FHIR_JSON);
    }
    if (path === `${basePath}/metadata`) {
      return json(res, 200, capabilityStatement(version, resources, base), FHIR_JSON);
    }
    const type = path.startsWith(`${basePath}/`) ? path.slice(basePath.length + 1) : "";
    if (resources.includes(type)) {
      return json(res, 200, { resourceType: "Bundle", type: "searchset", total: 0, entry: [] }, FHIR_JSON);
    }
    json(res, 404, outcome("not-found", `no route for ${path}`), FHIR_JSON);
  }, opts);
  base = `${peer.url}${basePath}`;
  return Object.assign(peer, { base });
}

function outcome(code: string, diagnostics: string) {
  return { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] };
}
