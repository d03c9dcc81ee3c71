/**
 * The simulated systems' credentials. Demo values on loopback only, known to both sides (the simulators check them,
 * the seeded integrations carry them): the platform stores them encrypted and shows only masks, as with real ones.
 */
export const DEMO_CREDENTIALS = {
  labApiKey: "demo-lab-api-key-7f3a9c21",
  pharmacyUser: "hip-monitor",
  pharmacyPassword: "demo-pharmacy-pass-5521",
  insuranceToken: "demo-insurance-bearer-0c8d4e77",
  paymentClientId: "hip-health-checks",
  paymentClientSecret: "demo-payments-client-secret-93b1",
  webhookSecret: "whsec_demo_2f6b8e1d4a",
} as const;
