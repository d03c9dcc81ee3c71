import type { AuthType, IntegrationStatus, IntegrationType } from "@hip/contracts";

/** The seed's color coding. Types the seed gives no color get neutral Mantine shades. */
export const STATUS_COLORS: Record<IntegrationStatus, string> = {
  ACTIVE: "#40c057",
  INACTIVE: "#868e96",
  ERROR: "#fa5252",
  TESTING: "#fab005",
};

export const TYPE_COLORS: Record<IntegrationType, string> = {
  HL7: "#228be6",
  FHIR: "#20c997",
  PAYMENT_GATEWAY: "#51cf66",
  LAB_SYSTEM: "#be4bdb",
  IMAGING_SYSTEM: "#5c7cfa",
  PHARMACY_SYSTEM: "#fd7e14",
  EHR_SYSTEM: "#15aabf",
  INSURANCE: "#e64980",
  API: "#495057",
  WEBHOOK: "#7950f2",
};

export const TYPE_LABELS: Record<IntegrationType, string> = {
  HL7: "HL7",
  FHIR: "FHIR",
  PAYMENT_GATEWAY: "Payment",
  LAB_SYSTEM: "Lab",
  IMAGING_SYSTEM: "Imaging",
  PHARMACY_SYSTEM: "Pharmacy",
  EHR_SYSTEM: "EHR",
  INSURANCE: "Insurance",
  API: "API",
  WEBHOOK: "Webhook",
};

export const STATUS_LABELS: Record<IntegrationStatus, string> = {
  ACTIVE: "Active",
  INACTIVE: "Inactive",
  ERROR: "Error",
  TESTING: "Testing",
};

export const AUTH_LABELS: Record<AuthType, string> = {
  NONE: "None",
  API_KEY: "API key",
  BASIC_AUTH: "Basic auth",
  TOKEN: "Bearer token",
  OAUTH: "OAuth 2.0 client credentials",
};

export const INTEGRATION_TYPES = Object.keys(TYPE_LABELS) as IntegrationType[];
export const INTEGRATION_STATUSES = Object.keys(STATUS_LABELS) as IntegrationStatus[];
export const AUTH_TYPES = Object.keys(AUTH_LABELS) as AuthType[];

/** Dark text on the yellow and light-green badges keeps WCAG contrast; white elsewhere. */
export function badgeTextColor(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const r = (n >> 16) & 255;
  const g = (n >> 8) & 255;
  const b = n & 255;
  const luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  return luminance > 0.55 ? "#1a1b1e" : "#ffffff";
}
