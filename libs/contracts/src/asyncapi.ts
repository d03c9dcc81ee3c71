import { z } from "zod";
import {
  IncidentAcknowledged,
  IncidentNotificationFailed,
  IncidentFlapping,
  IncidentSettled,
  MaintenanceOccurrenceEvent,
  IncidentOpened,
  IncidentResolved,
  IntegrationCreated,
  IntegrationDeleted,
  IntegrationProbeCompleted,
  IntegrationStatusChanged,
  IntegrationTestRequested,
  IntegrationTrafficAnomaly,
  IntegrationTrafficReported,
  IntegrationUpdated,
} from "./events.ts";
import { TOPICS } from "./topics.ts";

const messages = {
  IntegrationCreated: {
    schema: IntegrationCreated,
    type: "integration.created",
    summary: "An integration was registered.",
  },
  IntegrationUpdated: {
    schema: IntegrationUpdated,
    type: "integration.updated",
    summary: "An integration's configuration or admin status changed.",
  },
  IntegrationDeleted: {
    schema: IntegrationDeleted,
    type: "integration.deleted",
    summary: "An integration was deleted.",
  },
  IntegrationTestRequested: {
    schema: IntegrationTestRequested,
    type: "integration.test_requested",
    summary: "An admin asked for a connection test.",
  },
  IntegrationProbeCompleted: {
    schema: IntegrationProbeCompleted,
    type: "integration.probe_completed",
    summary: "A connection test or scheduled health check finished.",
  },
  IntegrationStatusChanged: {
    schema: IntegrationStatusChanged,
    type: "integration.status_changed",
    summary: "An integration's status changed (e.g. ACTIVE -> ERROR after N failed checks).",
  },
  IntegrationTrafficAnomaly: {
    schema: IntegrationTrafficAnomaly,
    type: "integration.traffic_anomaly",
    summary:
      "A traffic anomaly (SILENT_FEED, ERROR_SPIKE, QUEUE_BACKLOG) opened or resolved, with observed vs expected.",
  },
  IntegrationTrafficReported: {
    schema: IntegrationTrafficReported,
    type: "integration.traffic_reported",
    summary: "One traffic report (one window of at most a minute) from an interface engine.",
  },
  IncidentOpened: {
    schema: IncidentOpened,
    type: "incident.opened",
    summary: "An integration turned ERROR and an incident was opened (at most one open per integration).",
  },
  IncidentAcknowledged: {
    schema: IncidentAcknowledged,
    type: "incident.acknowledged",
    summary: "An admin acknowledged the incident (re-notification and escalation stop).",
  },
  IncidentResolved: {
    schema: IncidentResolved,
    type: "incident.resolved",
    summary: "The integration recovered, was set INACTIVE or was deleted; the incident is closed.",
  },
  IncidentNotificationFailed: {
    schema: IncidentNotificationFailed,
    type: "incident.notification_failed",
    summary: "A notification could not be delivered through a channel and the service gave up on it.",
  },
  IncidentFlapping: {
    schema: IncidentFlapping,
    type: "incident.flapping",
    summary:
      "The integration changes status too often: the incident stays open through the changes, one notice.",
  },
  IncidentSettled: {
    schema: IncidentSettled,
    type: "incident.settled",
    summary:
      "A flapping integration held one status for the stable period (ACTIVE also resolves the incident).",
  },
  MaintenanceOccurrence: {
    schema: MaintenanceOccurrenceEvent,
    type: "maintenance.occurrence",
    summary:
      "A maintenance window occurrence started (or its end changed while running); key and subject = window id.",
  },
} as const;

type MessageName = keyof typeof messages;

const channel = (address: string, names: MessageName[], description: string) => ({
  address,
  description,
  messages: Object.fromEntries(names.map((n) => [n, { $ref: `#/components/messages/${n}` }])),
});

/** The AsyncAPI 3.0 document, generated from the zod contracts so it cannot drift from them. */
export function buildAsyncApi(): Record<string, unknown> {
  const configMsgs: MessageName[] = [
    "IntegrationCreated",
    "IntegrationUpdated",
    "IntegrationDeleted",
    "IntegrationTestRequested",
  ];
  const statusMsgs: MessageName[] = [
    "IntegrationProbeCompleted",
    "IntegrationStatusChanged",
    "IntegrationTrafficAnomaly",
  ];
  const incidentMsgs: MessageName[] = [
    "IncidentOpened",
    "IncidentAcknowledged",
    "IncidentResolved",
    "IncidentNotificationFailed",
    "IncidentFlapping",
    "IncidentSettled",
    "MaintenanceOccurrence",
  ];
  return {
    asyncapi: "3.0.0",
    info: {
      title: "Integration-health platform events",
      version: "1.0.0",
      description:
        "CloudEvents 1.0 (structured JSON) on Kafka. Message key = integration id = CloudEvents `subject`, so one " +
        "integration's events stay ordered. Delivery is at-least-once: consumers dedupe by `id` and order by the " +
        "`sequence` extension per (source, subject). No event ever carries a secret. Generated from libs/contracts; " +
        "regenerate with `pnpm --filter @hip/contracts run asyncapi`.",
    },
    defaultContentType: "application/cloudevents+json",
    servers: {
      local: {
        host: "127.0.0.1:9092",
        protocol: "kafka",
        description: "single-node KRaft broker (deploy/kafka.sh)",
      },
    },
    channels: {
      config: channel(
        TOPICS.config,
        configMsgs,
        "Integration configuration changes and test requests, from the config service's outbox.",
      ),
      status: channel(
        TOPICS.status,
        statusMsgs,
        "Probe results (probe worker), status changes (config service outbox) and traffic anomalies (stats service outbox).",
      ),
      traffic: channel(
        TOPICS.traffic,
        ["IntegrationTrafficReported"],
        "Traffic reports from interface engines (high-volume ingest; the same data as POST /api/integration/traffic).",
      ),
      incident: channel(
        TOPICS.incident,
        incidentMsgs,
        "Incident lifecycle and notification failures, from the alert service's outbox.",
      ),
      deadLetter: {
        address: TOPICS.deadLetter,
        description:
          "Messages a consumer could not parse, with headers x-dlq-reason, x-dlq-topic, x-dlq-partition, x-dlq-offset, x-dlq-group.",
      },
    },
    operations: {
      publishConfig: {
        action: "send",
        channel: { $ref: "#/channels/config" },
        summary: "config-service outbox relay",
      },
      consumeConfig: {
        action: "receive",
        channel: { $ref: "#/channels/config" },
        summary: "probe-worker, stats-service, alert-service",
      },
      publishStatus: {
        action: "send",
        channel: { $ref: "#/channels/status" },
        summary:
          "probe-worker (probe_completed), config-service (status_changed), stats-service (traffic_anomaly)",
      },
      consumeStatus: {
        action: "receive",
        channel: { $ref: "#/channels/status" },
        summary: "config-service, stats-service, alert-service, any platform service",
      },
      publishTraffic: {
        action: "send",
        channel: { $ref: "#/channels/traffic" },
        summary: "interface engines and platform services reporting message traffic",
      },
      consumeTraffic: {
        action: "receive",
        channel: { $ref: "#/channels/traffic" },
        summary: "stats-service (stats-service.traffic)",
      },
      publishIncident: {
        action: "send",
        channel: { $ref: "#/channels/incident" },
        summary: "alert-service outbox relay",
      },
      consumeIncident: {
        action: "receive",
        channel: { $ref: "#/channels/incident" },
        summary: "any platform service following incidents",
      },
    },
    components: {
      messages: Object.fromEntries(
        Object.entries(messages).map(([name, m]) => [
          name,
          {
            name: m.type,
            summary: m.summary,
            contentType: "application/cloudevents+json",
            bindings: { kafka: { key: { type: "string", format: "uuid", description: "integration id" } } },
            payload: z.toJSONSchema(m.schema, { io: "input", unrepresentable: "any" }),
          },
        ]),
      ),
    },
  };
}
