import type { CreateIntegrationBody } from "@hip/contracts";
import { DEMO_CREDENTIALS } from "./credentials.ts";
import type { DemoEndpoints } from "./simulators.ts";

/** What each demo integration is meant to show once its first checks ran. */
export type DemoExpectation = "ACTIVE" | "ERROR" | "FLAPPING" | "INACTIVE";

/** A create body as the REST API takes it (defaults left to the API). */
export type DemoIntegrationBody = Partial<CreateIntegrationBody> &
  Pick<CreateIntegrationBody, "name" | "type">;

export interface DemoIntegration {
  body: DemoIntegrationBody;
  expect: DemoExpectation;
  /** For ERROR: what the last error says. */
  errorMatches?: RegExp;
}

const c = DEMO_CREDENTIALS;
const every = (intervalSeconds: number) => ({ healthCheck: { enabled: true, intervalSeconds } });

/**
 * The `demo` tenant: one integration per type, per probe and per auth method, pointed at the simulators, checked
 * every 10–30 s. Failing ones have a low failure threshold so the ERROR shows within the first minute.
 */
export function demoIntegrations(e: DemoEndpoints): DemoIntegration[] {
  return [
    {
      expect: "ACTIVE",
      body: {
        name: "ADT feed (HL7 v2)",
        type: "HL7",
        provider: "Interface engine",
        description: "Admissions, discharges and transfers over MLLP; the listener answers AA.",
        endpoint: e.hl7Accepting,
        config: { receivingApplication: "ADT-ENGINE", receivingFacility: "MAIN-HOSP" },
        timeout: 5_000,
        retryAttempts: 1,
        failureThreshold: 2,
        ...every(15),
      },
    },
    {
      expect: "ERROR",
      errorMatches: /AE|Unknown receiving application/,
      body: {
        name: "Lab orders (HL7 v2)",
        type: "HL7",
        provider: "LIS",
        description: "Orders to the lab system; its listener rejects them with AE (application error).",
        endpoint: e.hl7Rejecting,
        config: { receivingApplication: "LIS", receivingFacility: "LAB" },
        timeout: 5_000,
        retryAttempts: 0,
        failureThreshold: 1,
        ...every(20),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Patient records (FHIR R4)",
        type: "FHIR",
        provider: "FHIR server",
        description: "GET [base]/metadata must be an R4 CapabilityStatement.",
        endpoint: e.fhirBase,
        config: { fhirVersion: "R4" },
        timeout: 5_000,
        retryAttempts: 1,
        ...every(15),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "PACS (DICOM C-ECHO)",
        type: "IMAGING_SYSTEM",
        provider: "DCMTK storescp",
        description: "Association and C-ECHO (Verification SOP Class) against the archive.",
        endpoint: e.dicom,
        config: { callingAeTitle: "HIP", calledAeTitle: e.dicomAeTitle },
        timeout: 5_000,
        retryAttempts: 1,
        ...every(20),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Radiology viewer (DICOMweb)",
        type: "IMAGING_SYSTEM",
        provider: "DICOMweb",
        description: "QIDO-RS study search answering application/dicom+json.",
        endpoint: e.dicomWeb,
        timeout: 5_000,
        retryAttempts: 1,
        ...every(30),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Lab results API",
        type: "LAB_SYSTEM",
        provider: "Reference lab",
        description: "REST API with an API key header.",
        endpoint: e.apiKeyApi,
        authType: "API_KEY",
        apiKey: c.labApiKey,
        config: { apiKeyHeader: "X-API-Key", jsonPath: "$.status", jsonEquals: "UP" },
        timeout: 5_000,
        retryAttempts: 1,
        ...every(10),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Pharmacy formulary",
        type: "PHARMACY_SYSTEM",
        provider: "Pharmacy system",
        description: "REST API with HTTP basic authentication.",
        endpoint: e.basicAuthApi,
        authType: "BASIC_AUTH",
        username: c.pharmacyUser,
        password: c.pharmacyPassword,
        timeout: 5_000,
        retryAttempts: 1,
        ...every(20),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Insurance eligibility",
        type: "INSURANCE",
        provider: "Clearing house",
        description: "REST API with a bearer token; slower answers (40–180 ms).",
        endpoint: e.bearerApi,
        authType: "TOKEN",
        token: c.insuranceToken,
        timeout: 5_000,
        retryAttempts: 1,
        ...every(30),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Payment gateway",
        type: "PAYMENT_GATEWAY",
        provider: "Card processor",
        description: "REST API behind OAuth2 client credentials (token endpoint on the same simulator).",
        endpoint: e.oauthApi,
        authType: "OAUTH",
        tokenUrl: e.oauthTokenUrl,
        clientId: c.paymentClientId,
        clientSecret: c.paymentClientSecret,
        scope: "payments.read",
        timeout: 5_000,
        retryAttempts: 1,
        ...every(15),
      },
    },
    {
      expect: "FLAPPING",
      body: {
        name: "EHR scheduling API",
        type: "EHR_SYSTEM",
        provider: "EHR",
        description: "Up for three checks, down (503) for three: turns ERROR and back about once a minute.",
        endpoint: e.flapping,
        timeout: 5_000,
        retryAttempts: 0,
        failureThreshold: 2,
        ...every(10),
      },
    },
    {
      expect: "ERROR",
      errorMatches: /refused/i,
      body: {
        name: "Legacy billing API",
        type: "API",
        provider: "Billing",
        description: "Nothing listens on its port: connection refused on every check.",
        endpoint: e.down,
        timeout: 3_000,
        retryAttempts: 1,
        failureThreshold: 2,
        ...every(10),
      },
    },
    {
      expect: "ACTIVE",
      body: {
        name: "Discharge notifications (webhook)",
        type: "WEBHOOK",
        provider: "Care coordination",
        description: "Signed test events; the receiver verifies X-HIP-Signature with the shared secret.",
        webhookUrl: e.webhook,
        apiSecret: c.webhookSecret,
        timeout: 5_000,
        retryAttempts: 1,
        ...every(30),
      },
    },
    {
      expect: "INACTIVE",
      body: {
        name: "Old PACS (decommissioned)",
        type: "IMAGING_SYSTEM",
        provider: "Legacy archive",
        description: "Kept for the record; disabled, so never checked.",
        endpoint: e.dicom.replace(/:\d+$/, `:${new URL(e.down).port}`),
        status: "INACTIVE",
        timeout: 5_000,
        healthCheck: { enabled: false, intervalSeconds: 300 },
      },
    },
  ];
}
