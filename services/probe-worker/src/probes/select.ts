import type { ConnectionSpec, ProbeKind } from "@hip/contracts";
import type { ProbeFn } from "./attempt.ts";
import { dicomProbe } from "./dicom/dicom.probe.ts";
import { dicomwebProbe } from "./dicomweb.probe.ts";
import { fhirProbe } from "./fhir.probe.ts";
import { hl7Probe } from "./hl7/hl7.probe.ts";
import { httpProbe } from "./http/http.probe.ts";
import { tcpProbe } from "./tcp.probe.ts";
import { webhookProbe } from "./webhook/webhook.probe.ts";

const PROBES: Record<ProbeKind, ProbeFn> = {
  http: httpProbe,
  fhir: fhirProbe,
  "hl7-mllp": hl7Probe,
  dicom: dicomProbe,
  dicomweb: dicomwebProbe,
  webhook: webhookProbe,
  tcp: tcpProbe,
};

function schemeOf(url: string | null): string | null {
  if (!url) return null;
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  return m?.[1] ? m[1].toLowerCase() : null;
}

/** Which probe speaks this integration's protocol (see docs/probes.md). */
export function selectProbe(spec: ConnectionSpec): ProbeKind {
  const scheme = schemeOf(spec.endpoint);
  const web = scheme === "http" || scheme === "https";
  switch (spec.type) {
    case "HL7":
      return "hl7-mllp";
    case "FHIR":
      return web ? "fhir" : "tcp";
    case "IMAGING_SYSTEM":
      return scheme === "dicom" || scheme === "dicoms" ? "dicom" : web ? "dicomweb" : "tcp";
    case "WEBHOOK":
      return "webhook";
    default:
      return web ? "http" : "tcp";
  }
}

export function probeFor(kind: ProbeKind): ProbeFn {
  return PROBES[kind];
}
