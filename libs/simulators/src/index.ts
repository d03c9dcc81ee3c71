export * from "./auth-api.ts";
export * from "./dicom.ts";
export * from "./fhir.ts";
export * from "./flapping.ts";
export * from "./http.ts";
export * from "./mllp.ts";
export * from "./net.ts";
export * from "./webhook.ts";
