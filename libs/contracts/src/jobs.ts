import { z } from "zod";

/** BullMQ job catalog shared by producer and worker: queue, job name -> payload schema and options. */
export const PROBE_QUEUE = "hip-probes";

export const HealthCheckJob = z.object({
  integrationId: z.uuid(),
  tenantId: z.string(),
  intervalSeconds: z.number().int().min(10),
});
export type HealthCheckJob = z.infer<typeof HealthCheckJob>;

export const ConnectionTestJob = z.object({
  integrationId: z.uuid(),
  tenantId: z.string(),
  testId: z.uuid(),
  requestedBy: z.string(),
  /** W3C trace context of the admin's request (from the test_requested event), so the probe joins its trace. */
  traceparent: z.string().max(64).optional(),
});
export type ConnectionTestJob = z.infer<typeof ConnectionTestJob>;

export const JOB_CATALOG = {
  "health-check": {
    schema: HealthCheckJob,
    /** BullMQ-level attempts cover infrastructure failures (spec fetch, publish); protocol retries happen inside. */
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 1000 },
      priority: 10,
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
  },
  "connection-test": {
    schema: ConnectionTestJob,
    opts: {
      attempts: 3,
      backoff: { type: "exponential", delay: 500 },
      priority: 1,
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
  },
} as const;
export type JobName = keyof typeof JOB_CATALOG;

/** Job scheduler id for an integration: exactly one per integration, whatever happens. */
export const schedulerId = (integrationId: string): string => `health:${integrationId}`;

/** The alert service's delivery queue: one job per (incident, transition, channel), job id = the delivery key. */
export const ALERT_QUEUE = "hip-alerts";

export const DeliveryJob = z.object({
  /** `<incidentId>:<transition>:<channelId>`, also the job id and the delivery row's primary key. */
  key: z.string().regex(/^[0-9a-f-]{36}:[a-z0-9-]+:[0-9a-f-]{36}$/),
});
export type DeliveryJob = z.infer<typeof DeliveryJob>;

export const ALERT_JOB_CATALOG = {
  deliver: {
    schema: DeliveryJob,
    /**
     * Retries are not BullMQ attempts: the worker reschedules the job itself (moveToDelayed) at the time the
     * delivery row says, honouring Retry-After and ALERT_DELIVERY_MAX_AGE. Finished jobs are removed, so the
     * dispatcher can re-add a lost one under the same id.
     */
    opts: { attempts: 1, removeOnComplete: true, removeOnFail: true },
  },
} as const;
