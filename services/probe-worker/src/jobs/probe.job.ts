import {
  ConnectionTestJob,
  type ConnectionSpec,
  HealthCheckJob,
  type JobName,
  type ProbeResult,
  schedulerId,
} from "@hip/contracts";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { ConfigClient } from "../config-client/config-client.ts";
import { desiredSchedule } from "../domain/desired-schedule.ts";
import { manualProbeEventId, scheduledProbeEventId } from "../domain/event-id.ts";
import type { ScheduleManager } from "../domain/schedules.ts";
import type { SpecCache } from "../domain/spec-cache.ts";
import type { StatusPublisher } from "../domain/status-publisher.ts";
import type { TenantSlots } from "../domain/tenant-slots.ts";
import type { Metrics } from "../metrics.ts";
import type { ProbeOutcome } from "../probes/index.ts";
import { scheduledAtOf } from "./scheduled-at.ts";
import { SpanKind, SpanStatusCode, startSpan, traceparentOf } from "@hip/service-kit";

export interface ProbeJobDeps {
  client: ConfigClient;
  specs: SpecCache;
  schedules: ScheduleManager;
  publisher: StatusPublisher;
  probe: (spec: ConnectionSpec) => Promise<ProbeOutcome>;
  metrics: Metrics;
  logger: Logger;
  /** Per-tenant share of the slots; absent = no cap. */
  tenantSlots?: TenantSlots;
  /** Base delay before a deferred scheduled check is tried again. */
  deferMs?: number;
}

export type ProbeJobResult =
  | { outcome: "published"; eventId: string; success: boolean }
  | { outcome: "skipped"; reason: string };

interface Work {
  integrationId: string;
  tenantId: string;
  trigger: ProbeResult["trigger"];
  testId: string | null;
  scheduledAt: number | null;
  eventId: string;
  /** Trace context of the request that asked for the check (manual tests); scheduled checks start a trace. */
  traceparent?: string | undefined;
}

function describe(job: Job): Work {
  const name = job.name as JobName;
  if (name === "connection-test") {
    const data = ConnectionTestJob.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError("connection-test job payload is invalid");
    return {
      ...data.data,
      trigger: "manual",
      scheduledAt: null,
      eventId: manualProbeEventId(data.data.testId),
    };
  }
  if (name === "health-check") {
    const data = HealthCheckJob.safeParse(job.data);
    if (!data.success) throw new UnrecoverableError("health-check job payload is invalid");
    const scheduledAt = scheduledAtOf(job) ?? job.timestamp;
    const key = job.repeatJobKey ?? schedulerId(data.data.integrationId);
    return {
      integrationId: data.data.integrationId,
      tenantId: data.data.tenantId,
      trigger: "scheduled",
      testId: null,
      scheduledAt,
      eventId: scheduledProbeEventId(key, scheduledAt),
    };
  }
  throw new UnrecoverableError(`unknown job name ${job.name}`);
}

/**
 * One check: fetch the decrypted spec (cached briefly), probe, publish integration.probe_completed. Failures
 * of our own infrastructure (config service, a full result buffer) throw, so BullMQ retries the job; the event id is derived
 * from the job, so a retry republishes the same event. Probe failures are results, not job failures. Publishing
 * only appends to the Redis result buffer: the slot is free as soon as the probe is done, whether Kafka is up or not.
 */
export function createProbeProcessor(deps: ProbeJobDeps) {
  return async (job: Job, token?: string): Promise<ProbeJobResult> => {
    const work = describe(job);
    const name = job.name;
    const slots = deps.tenantSlots;
    if (slots && !slots.tryTake(work.tenantId, work.trigger === "manual")) {
      // The tenant already holds its share of the slots: give this one back to the others for a moment. The
      // check keeps its due time (and so its event id); its drift shows the tenant's own backlog.
      deps.metrics.jobs.inc({ name, outcome: "deferred" });
      const base = deps.deferMs ?? 500;
      await job.moveToDelayed(Date.now() + base + Math.floor(Math.random() * (base / 2)), token);
      throw new DelayedError();
    }
    try {
      return await runCheck(deps, job, work);
    } finally {
      slots?.release(work.tenantId);
    }
  };
}

async function runCheck(deps: ProbeJobDeps, job: Job, work: Work): Promise<ProbeJobResult> {
  const name = job.name;
  if (work.scheduledAt !== null && job.attemptsMade === 0) {
    const startedAt = job.processedOn ?? Date.now();
    deps.metrics.drift.observe(Math.max(0, startedAt - work.scheduledAt) / 1000);
  }
  const spec = await deps.specs.get(work.integrationId, (id) => deps.client.getConnectionSpec(id));
  if (!spec) {
    // The integration is gone: its schedule must go too, and nobody is waiting for a result.
    if (work.trigger === "scheduled") await deps.schedules.removeGone(work.integrationId);
    deps.metrics.jobs.inc({ name, outcome: "skipped" });
    return { outcome: "skipped", reason: "integration not found" };
  }
  if (work.trigger === "scheduled") {
    const skip = await reconcileSchedule(deps, spec, job);
    if (skip) {
      deps.metrics.jobs.inc({ name, outcome: "skipped" });
      return { outcome: "skipped", reason: skip };
    }
  }
  const span = startSpan(`probe ${spec.type}`, {
    parent: work.traceparent,
    kind: SpanKind.CLIENT,
    attributes: { "hip.integration_id": spec.id, "hip.trigger": work.trigger },
  });
  let outcome: Awaited<ReturnType<typeof deps.probe>>;
  try {
    outcome = await deps.probe(spec);
    span.setAttribute("hip.probe", outcome.probe);
    span.setAttribute("hip.success", outcome.success);
    if (!outcome.success)
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error?.code ?? "failed" });
  } finally {
    span.end();
  }
  const result: ProbeResult = {
    ...outcome,
    integrationId: spec.id,
    tenantId: spec.tenantId,
    testId: work.testId,
    trigger: work.trigger,
    integrationType: spec.type,
    scheduledAt: work.scheduledAt === null ? null : new Date(work.scheduledAt).toISOString(),
    checkedAt: new Date().toISOString(),
  };
  await deps.publisher.publish(work.eventId, result, traceparentOf(span));
  const labels = { type: spec.type, probe: outcome.probe };
  deps.metrics.checks.inc({
    ...labels,
    result: outcome.success ? "success" : "failure",
    trigger: work.trigger,
  });
  deps.metrics.latency.observe(labels, outcome.latencyMs / 1000);
  deps.metrics.jobs.inc({ name, outcome: "published" });
  return { outcome: "published", eventId: work.eventId, success: outcome.success };
}

/**
 * The spec is the freshest truth about the integration. A scheduled check for an integration that is no longer
 * eligible (an event not applied yet, or lost with a Redis flush) fixes the schedule instead of probing.
 */
async function reconcileSchedule(deps: ProbeJobDeps, spec: ConnectionSpec, job: Job): Promise<string | null> {
  const desired = desiredSchedule(spec);
  const data = job.data as HealthCheckJob;
  if (desired === "present" && data.intervalSeconds === spec.healthCheck.intervalSeconds) return null;
  if (desired === "keep") return null;
  await deps.schedules.applySnapshot(
    {
      integrationId: spec.id,
      tenantId: spec.tenantId,
      desired,
      intervalSeconds: spec.healthCheck.intervalSeconds,
    },
    spec.version,
  );
  deps.logger.info({ integrationId: spec.id, desired }, "schedule reconciled from the connection spec");
  return desired === "absent" ? "integration is not eligible for health checks" : null;
}
