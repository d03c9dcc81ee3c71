// Secrets at rest, shared by every service that stores one (config-service credentials, alert-service channel
// secrets): an AES-256-GCM key ring with key ids and rotation, and the one way secrets are masked.
export * from "./key-ring.ts";
