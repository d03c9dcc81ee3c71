// The transactional outbox's moving parts shared by the services that own one (config-service, alert-service):
// the LISTEN connection that wakes relays on commit, and the relay that publishes committed rows to Kafka. Also the
// purge of the consumers' dedupe tables (processed_events), which the same services own.
export * from "./pg-notifications.ts";
export * from "./processed-events.ts";
export * from "./relay.ts";
