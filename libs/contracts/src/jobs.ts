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
