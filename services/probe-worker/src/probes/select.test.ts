import { describe, expect, it } from "vitest";
import { selectProbe } from "./select.ts";
import { makeSpec } from "./testing/peers.ts";

describe("selectProbe", () => {
  it.each([
    ["HL7", "mllp://h:2575", "hl7-mllp"],
    ["HL7", "mllps://h:2575", "hl7-mllp"],
    ["HL7", "tcp://h:2575", "hl7-mllp"],
    ["FHIR", "https://h/fhir", "fhir"],
    ["IMAGING_SYSTEM", "dicom://h:104", "dicom"],
    ["IMAGING_SYSTEM", "https://h/dicom-web", "dicomweb"],
    ["WEBHOOK", null, "webhook"],
    ["API", "https://h", "http"],
    ["PAYMENT_GATEWAY", "http://h", "http"],
    ["LAB_SYSTEM", "tcp://h:9000", "tcp"],
  ] as const)("%s %s -> %s", (type, endpoint, kind) => {
    expect(selectProbe(makeSpec({ type, endpoint }))).toBe(kind);
  });
});
