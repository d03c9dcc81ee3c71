import { z } from "zod";
import { IntegrationType } from "./enums.ts";
import { ChannelType, ExpiryNotice, IncidentSnapshot, IncidentState, Transition } from "./incident.ts";

/** REST shapes of the alert service (`/api/integration/alerts`). */

export const AlertIdParams = z.strictObject({ id: z.uuid() });
export type AlertIdParams = z.infer<typeof AlertIdParams>;

// ---------------------------------------------------------------------------------------------------------------
// Incidents

export const ListIncidentsQuery = z.strictObject({
  state: IncidentState.optional(),
  integrationId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

export const IncidentView = IncidentSnapshot.extend({
  /** Open incidents: time open so far; resolved ones: opened -> resolved. */
  durationMs: z.number().int().nonnegative(),
});
export type IncidentView = z.infer<typeof IncidentView>;

export const TimelineKind = z.enum([
  "opened",
  "delivery",
  "acknowledged",
  "note",
  "escalated",
  "renotified",
  "notification_failed",
  "resolved",
  "flapping",
  "flap_status",
  "settled",
  "maintenance_ended",
  "suppressed",
  "children_affected",
  "dependency_released",
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

/**
 * One timeline entry. `data` by kind: opened `{ error, causationId, statusChangedAt }`; delivery `{ key, channelId,
 * channelName, channelType, transition, attempt, outcome (success|retry|failed), statusCode, latencyMs, error }`;
 * acknowledged `{ note }`; note `{ text }`; escalated / renotified `{ transition, channelIds }`;
 * notification_failed `{ key, channelId, channelName, channelType, transition, attempts, error }`;
 * resolved `{ reason, causationId }`; flapping `{ changes, windowMinutes, stableMinutes, causationId, deliveries }`;
 * flap_status `{ to, causationId }` (a change while flapping, no notice); settled `{ status, stableMinutes,
 * deliveries }`.
 */
export const TimelineEntry = z.object({
  id: z.string(),
  at: z.iso.datetime(),
  kind: TimelineKind,
  actor: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const IncidentDetail = IncidentView.extend({ timeline: z.array(TimelineEntry) });
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentList = z.object({
  data: z.array(IncidentView),
  nextCursor: z.string().nullable(),
});
export type IncidentList = z.infer<typeof IncidentList>;

export const AckIncidentBody = z.strictObject({ note: z.string().trim().min(1).max(2000).optional() });
export type AckIncidentBody = z.infer<typeof AckIncidentBody>;

export const AddNoteBody = z.strictObject({ text: z.string().trim().min(1).max(4000) });
export type AddNoteBody = z.infer<typeof AddNoteBody>;

// ---------------------------------------------------------------------------------------------------------------
// Channels

const httpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      try {
        const u = new URL(value);
        return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
      } catch {
        return false;
      }
    },
    { message: "must be an absolute http(s) URL" },
  );

/** Secret values: the webhook signing secret, PagerDuty routing key. */
const secretValue = (min: number) => z.string().min(min).max(512);

export const WebhookChannelConfig = z.strictObject({
  url: httpUrl,
  /** HMAC-SHA256 signing secret (docs/webhooks.md). Without it requests are sent unsigned. */
  secret: secretValue(16).optional(),
});
export const SlackChannelConfig = z.strictObject({ url: httpUrl });
export const TeamsChannelConfig = z.strictObject({ url: httpUrl });
export const PagerDutyChannelConfig = z.strictObject({
  routingKey: secretValue(8),
  /** Defaults to https://events.pagerduty.com/v2/enqueue; may point at a proxy. */
  url: httpUrl.optional(),
});
export const EmailChannelConfig = z.strictObject({
  to: z.array(z.email().max(320)).min(1).max(20),
});

const name = z.string().trim().min(1).max(120);

export const CreateChannelBody = z.discriminatedUnion("type", [
  z.strictObject({ name, type: z.literal("WEBHOOK"), config: WebhookChannelConfig }),
  z.strictObject({ name, type: z.literal("SLACK"), config: SlackChannelConfig }),
  z.strictObject({ name, type: z.literal("TEAMS"), config: TeamsChannelConfig }),
  z.strictObject({ name, type: z.literal("PAGERDUTY"), config: PagerDutyChannelConfig }),
  z.strictObject({ name, type: z.literal("EMAIL"), config: EmailChannelConfig }),
]);
export type CreateChannelBody = z.infer<typeof CreateChannelBody>;

/**
 * Config patches by channel type (the type itself cannot change). Absent fields keep their stored value;
 * `secret: null` removes a webhook's signing secret.
 */
export const ChannelConfigPatch = {
  WEBHOOK: z.strictObject({ url: httpUrl.optional(), secret: secretValue(16).nullable().optional() }),
  SLACK: z.strictObject({ url: httpUrl.optional() }),
  TEAMS: z.strictObject({ url: httpUrl.optional() }),
  PAGERDUTY: z.strictObject({ routingKey: secretValue(8).optional(), url: httpUrl.nullable().optional() }),
  EMAIL: z.strictObject({ to: EmailChannelConfig.shape.to.optional() }),
} as const satisfies Record<ChannelType, z.ZodType>;

export const UpdateChannelBody = z.strictObject({
  name: name.optional(),
  /** Validated against the channel's type (see ChannelConfigPatch); errors name `config.<field>`. */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateChannelBody = z.infer<typeof UpdateChannelBody>;

export const DeliveryOutcome = z.enum(["pending", "succeeded", "failed", "cancelled"]);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

export const ChannelView = z.object({
  id: z.uuid(),
  name: z.string(),
  type: ChannelType,
  /** Non-secret settings in clear; secret ones (URLs of Slack/Teams/webhooks, secret, routingKey) as masks. */
  config: z.record(z.string(), z.unknown()),
  secretsSet: z.record(z.string(), z.boolean()),
  lastDelivery: z
    .object({
      key: z.string(),
      incidentId: z.uuid(),
      transition: z.string(),
      outcome: DeliveryOutcome,
      attempts: z.number().int(),
      at: z.iso.datetime(),
      statusCode: z.number().int().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
  lastTest: z.object({ at: z.iso.datetime(), ok: z.boolean(), code: z.string().nullable() }).nullable(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type ChannelView = z.infer<typeof ChannelView>;

export const ChannelList = z.object({ data: z.array(ChannelView) });
export type ChannelList = z.infer<typeof ChannelList>;

export const ChannelTestResult = z.object({
  ok: z.boolean(),
  channelType: ChannelType,
  /** HTTP status of the receiver (SMTP reply code for EMAIL); null when nothing answered. */
  statusCode: z.number().int().nullable(),
  latencyMs: z.number().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  testedAt: z.iso.datetime(),
});
export type ChannelTestResult = z.infer<typeof ChannelTestResult>;

// ---------------------------------------------------------------------------------------------------------------
// Policies

export const PolicyScope = z.discriminatedUnion("scope", [
  z.strictObject({ scope: z.literal("all") }),
  z.strictObject({ scope: z.literal("types"), types: z.array(IntegrationType).min(1).max(20) }),
  z.strictObject({ scope: z.literal("ids"), ids: z.array(z.uuid()).min(1).max(1000) }),
]);
export type PolicyScope = z.infer<typeof PolicyScope>;

export const Escalation = z.strictObject({
  afterMinutes: z.number().int().min(1).max(10_080),
  channelIds: z.array(z.uuid()).min(1).max(20),
});
export type Escalation = z.infer<typeof Escalation>;

/**
 * Flapping rule of a policy: more than `changes` status changes within `windowMinutes` is flapping; it has
 * settled after `stableMinutes` without a change. null = this policy does not detect flapping.
 */
export const FlappingRule = z.strictObject({
  changes: z.number().int().min(1).max(100),
  windowMinutes: z.number().int().min(1).max(1440),
  stableMinutes: z.number().int().min(1).max(1440),
});
export type FlappingRule = z.infer<typeof FlappingRule>;
export const DEFAULT_FLAPPING: FlappingRule = { changes: 4, windowMinutes: 30, stableMinutes: 15 };

const policyFields = {
  name,
  enabled: z.boolean(),
  integrations: PolicyScope,
  channelIds: z.array(z.uuid()).min(1).max(20),
  notifyOnResolve: z.boolean(),
  /** Reminder period while open and unacknowledged; null = no reminders. */
  renotifyMinutes: z.number().int().min(1).max(10_080).nullable(),
  escalation: Escalation.nullable(),
  flapping: FlappingRule.nullable(),
  /** Days before a certificate or credentials expire that each get one notice (and one when expired). */
  expiryDays: z.array(z.number().int().min(1).max(365)).max(10),
  /** Minutes after a parent recovers before a child that is still failing is notified (docs/decisions/0514). */
  dependencyGraceMinutes: z.number().int().min(0).max(1440),
};

export const CreatePolicyBody = z.strictObject({
  name: policyFields.name,
  enabled: policyFields.enabled.default(true),
  integrations: policyFields.integrations,
  channelIds: policyFields.channelIds,
  notifyOnResolve: policyFields.notifyOnResolve.default(true),
  renotifyMinutes: policyFields.renotifyMinutes.default(null),
  escalation: policyFields.escalation.default(null),
  flapping: policyFields.flapping.default(DEFAULT_FLAPPING),
  expiryDays: policyFields.expiryDays.default([30, 14, 7, 1]),
  dependencyGraceMinutes: policyFields.dependencyGraceMinutes.default(2),
});
export type CreatePolicyBody = z.infer<typeof CreatePolicyBody>;

export const UpdatePolicyBody = z.strictObject({
  name: policyFields.name.optional(),
  enabled: policyFields.enabled.optional(),
  integrations: policyFields.integrations.optional(),
  channelIds: policyFields.channelIds.optional(),
  notifyOnResolve: policyFields.notifyOnResolve.optional(),
  renotifyMinutes: policyFields.renotifyMinutes.optional(),
  escalation: policyFields.escalation.optional(),
  flapping: policyFields.flapping.optional(),
  expiryDays: policyFields.expiryDays.optional(),
  dependencyGraceMinutes: policyFields.dependencyGraceMinutes.optional(),
});
export type UpdatePolicyBody = z.infer<typeof UpdatePolicyBody>;

export const PolicyView = z.object({
  id: z.uuid(),
  name: z.string(),
  enabled: z.boolean(),
  integrations: PolicyScope,
  channelIds: z.array(z.uuid()),
  notifyOnResolve: z.boolean(),
  renotifyMinutes: z.number().int().nullable(),
  escalation: Escalation.nullable(),
  flapping: FlappingRule.nullable(),
  expiryDays: z.array(z.number().int()),
  dependencyGraceMinutes: z.number().int(),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type PolicyView = z.infer<typeof PolicyView>;

export const PolicyList = z.object({ data: z.array(PolicyView) });
export type PolicyList = z.infer<typeof PolicyList>;

// ---------------------------------------------------------------------------------------------------------------
// Maintenance windows (docs/alert-service.md#maintenance-windows)

export const MaintenanceScope = z.discriminatedUnion("scope", [
  z.strictObject({ scope: z.literal("tenant") }),
  z.strictObject({ scope: z.literal("integrations"), ids: z.array(z.uuid()).min(1).max(1000) }),
  z.strictObject({ scope: z.literal("types"), types: z.array(IntegrationType).min(1).max(20) }),
]);
export type MaintenanceScope = z.infer<typeof MaintenanceScope>;

/** Wall-clock time in the window's zone, no offset: `2026-03-29T01:00`. */
const LocalDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, { message: "local date-time YYYY-MM-DDTHH:mm" });

const maintenanceFields = {
  name,
  description: z.string().trim().max(2000).nullable(),
  /** First (or only) start, local to `timeZone`. */
  start: LocalDateTime,
  /** IANA zone the window's wall-clock times are in (the tenant's zone), e.g. `Europe/Berlin`. */
  timeZone: z.string().min(1).max(64),
  durationMinutes: z.number().int().min(1).max(10_080),
  /** RFC 5545 RRULE value without DTSTART (`FREQ=WEEKLY;BYDAY=SU`); DAILY..YEARLY; null = one-off. */
  rrule: z.string().trim().min(1).max(500).nullable(),
  scope: MaintenanceScope,
};

export const CreateMaintenanceBody = z.strictObject({
  name: maintenanceFields.name,
  description: maintenanceFields.description.default(null),
  start: maintenanceFields.start,
  timeZone: maintenanceFields.timeZone,
  durationMinutes: maintenanceFields.durationMinutes,
  rrule: maintenanceFields.rrule.default(null),
  scope: maintenanceFields.scope,
});
export type CreateMaintenanceBody = z.infer<typeof CreateMaintenanceBody>;

export const UpdateMaintenanceBody = z.strictObject({
  name: maintenanceFields.name.optional(),
  description: maintenanceFields.description.optional(),
  start: maintenanceFields.start.optional(),
  timeZone: maintenanceFields.timeZone.optional(),
  durationMinutes: maintenanceFields.durationMinutes.optional(),
  rrule: maintenanceFields.rrule.optional(),
  scope: maintenanceFields.scope.optional(),
});
export type UpdateMaintenanceBody = z.infer<typeof UpdateMaintenanceBody>;

export const MaintenanceOccurrence = z.object({ startsAt: z.iso.datetime(), endsAt: z.iso.datetime() });
export type MaintenanceOccurrence = z.infer<typeof MaintenanceOccurrence>;

export const MaintenanceView = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  start: z.string(),
  timeZone: z.string(),
  durationMinutes: z.number().int(),
  rrule: z.string().nullable(),
  scope: MaintenanceScope,
  /** The occurrence in progress now, if any. */
  current: MaintenanceOccurrence.nullable(),
  /** The next occurrences (up to 5) that have not started yet. */
  upcoming: z.array(MaintenanceOccurrence),
  version: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
});
export type MaintenanceView = z.infer<typeof MaintenanceView>;

export const MaintenanceList = z.object({ data: z.array(MaintenanceView) });
export type MaintenanceList = z.infer<typeof MaintenanceList>;

// ---------------------------------------------------------------------------------------------------------------
// What a WEBHOOK channel receives (signed like the WEBHOOK probe: docs/webhooks.md, docs/alert-service.md)

export const AlertWebhookBody = z.object({
  /** `<incidentId>:<transition>`: also the Idempotency-Key and X-HIP-Event-Id headers; the same on every retry. */
  id: z.string(),
  /** `hip.incident.opened`, `hip.incident.acknowledged`, `hip.incident.resolved`, `hip.incident.escalated`,
   * `hip.incident.renotify-<n>`. */
  type: z.string(),
  transition: Transition,
  createdAt: z.iso.datetime(),
  tenant: z.object({ id: z.string() }),
  integration: z.object({
    id: z.uuid(),
    name: z.string().nullable(),
    type: IntegrationType.nullable(),
  }),
  incident: IncidentSnapshot.pick({
    id: true,
    state: true,
    openedAt: true,
    acknowledgedAt: true,
    acknowledgedBy: true,
    resolvedAt: true,
    resolveReason: true,
  }),
  error: IncidentSnapshot.shape.error,
  /** Expiry notices only (`type` hip.notice.expiry-…): what expires when; `incident` then describes the notice. */
  notice: ExpiryNotice.optional(),
  /** The incident in the dashboard. */
  link: z.string(),
});
export type AlertWebhookBody = z.infer<typeof AlertWebhookBody>;
