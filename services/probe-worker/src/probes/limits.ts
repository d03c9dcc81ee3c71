/**
 * How much of an answer a probe holds in memory at most (docs/probes.md, "Buffer caps"). PROBE_CONCURRENCY probes
 * run at once, so these bound the worker's heap: 50 FHIR probes x 2 MiB (plus the parsed document) stay far from
 * the default heap, where the former 16 MiB cap could exhaust it. A body over its cap is never read further.
 */
export const PROBE_BODY_CAPS = {
  /** HTTP and DICOMweb answers; `bodyContains` / `jsonPath` are evaluated on at most this much. */
  http: 1 << 20,
  /** FHIR `GET [base]/metadata`: a CapabilityStatement of a large server is a few hundred KiB. */
  fhirMetadata: 2 << 20,
  /** SMART configuration, OAuth token endpoint, webhook receiver: small JSON documents. */
  small: 64 << 10,
  /** One MLLP frame (HL7 ACK) or one DICOM PDU. */
  frame: 1 << 20,
} as const;
