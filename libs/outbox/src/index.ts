// The transactional outbox's moving parts shared by the services that own one (config-service, alert-service):
// the LISTEN connection that wakes relays on commit, and the relay that publishes committed rows to Kafka.
export * from "./pg-notifications.ts";
export * from "./relay.ts";
