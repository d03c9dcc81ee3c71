/**
 * Kafka topic names. `prefix` isolates test runs (KAFKA_TOPIC_PREFIX); production uses none.
 * Key of every message on these topics = integration id, so one integration's events stay ordered.
 */
export interface TopicNames {
  config: string;
  status: string;
  /** Incidents (alert-service outbox). */
  incident: string;
  /** Traffic reports from interface engines (stats-service consumes). */
  traffic: string;
  deadLetter: string;
}

export function topicNames(prefix = ""): TopicNames {
  return {
    config: `${prefix}integration.config.v1`,
    status: `${prefix}integration.status.v1`,
    incident: `${prefix}integration.incident.v1`,
    traffic: `${prefix}integration.traffic.v1`,
    deadLetter: `${prefix}integration.deadletter.v1`,
  };
}

export const TOPICS: TopicNames = topicNames();
