import {
  ConnectionTestJob,
  type ConnectionSpec,
  type JobName,
  type ProbeResult,
  schedulerId,
} from "@hip/contracts";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { ConfigClient } from "../config-client/config-client.ts";
import type { ClaimedCheck } from "../domain/check-wheel.ts";
import { desiredSchedule, intervalMs } from "../domain/desired-schedule.ts";
import { manualProbeEventId, scheduledProbeEventId } from "../domain/event-id.ts";
import type { ScheduleManager } from "../domain/schedules.ts";
import type { SpecCache } from "../domain/spec-cache.ts";
import type { StatusPublisher } from "../domain/status-publisher.ts";
import type { TenantSlots } from "../domain/tenant-slots.ts";
import type { Metrics } from "../metrics.ts";
import type { ProbeOutcome } from "../probes/index.ts";
import { SpanKind, SpanStatusCode, startSpan, traceparentOf } from "@hip/service-kit";

export interface ProbeJobDeps {
  client: ConfigClient;
  /** Fetches a spec the cache lacks (runtime: batched, SpecBatcher); defaults to one call per spec. */
  loadSpec?: (integrationId: string) => Promise<ConnectionSpec | null>;
  specs: SpecCache;
  schedules: ScheduleManager;
  publisher: StatusPublisher;
  probe: (spec: ConnectionSpec) => Promise<ProbeOutcome>;
  metrics: Metrics;
  logger: Logger;
  /** Per-tenant share of the slots (manual tests count towards it but are never refused); absent = no cap. */
  tenantSlots?: TenantSlots;
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

function describe(job: Job): Work | null {
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
  // Health checks run from the check wheel; a health-check job can only come from a job scheduler created
  // before the wheel existed (the start-up resync removes those).
  if (name === "health-check") return null;
  throw new UnrecoverableError(`unknown job name ${job.name}`);
}

/** The work of a slot claimed from the check wheel: its event id is derived from the slot, as before the wheel. */
export function scheduledWork(check: ClaimedCheck): Work {
  return {
    integrationId: check.integrationId,
    tenantId: check.tenantId,
    trigger: "scheduled",
    testId: null,
    scheduledAt: check.dueAt,
    eventId: scheduledProbeEventId(schedulerId(check.integrationId), check.dueAt),
  };
}

/**
 * A manual connection test (BullMQ job): fetch the decrypted spec, probe, publish integration.probe_completed.
 * Failures of our own infrastructure (config service, a full result buffer) throw, so BullMQ retries the job; the
 * event id is derived from the test id, so a retry republishes the same event. Probe failures are results, not job
 * failures. Publishing only appends to the Redis result buffer: the slot is free as soon as the probe is done,
 * whether Kafka is up or not. Scheduled checks take the same path from the check wheel (createScheduledCheck).
 */
export function createProbeProcessor(deps: ProbeJobDeps) {
  return async (job: Job): Promise<ProbeJobResult> => {
    const work = describe(job);
    if (!work) {
      deps.metrics.jobs.inc({ name: job.name, outcome: "skipped" });
      return { outcome: "skipped", reason: "health checks run from the check wheel" };
    }
    // Manual tests run on their own slots and are never refused; they count towards the tenant's share.
    deps.tenantSlots?.tryTake(work.tenantId, true);
    try {
      return await runCheck(deps, work, job.name);
    } finally {
      deps.tenantSlots?.release(work.tenantId);
    }
  };
}

/**
 * One slot claimed from the check wheel (the wheel runner holds the tenant's share). Resolves when the result is
 * buffered or the check was skipped; throws on our own infrastructure's failure, so the slot is claimed again.
 */
export function createScheduledCheck(deps: ProbeJobDeps) {
  return async (check: ClaimedCheck): Promise<ProbeJobResult> => {
    const work = scheduledWork(check);
    deps.metrics.drift.observe(Math.max(0, Date.now() - check.dueAt) / 1000);
    return runCheck(deps, work, "health-check", check.everyMs);
  };
}

async function runCheck(
  deps: ProbeJobDeps,
  work: Work,
  name: string,
  scheduledEveryMs?: number,
): Promise<ProbeJobResult> {
  const spec = await deps.specs.get(
    work.integrationId,
    deps.loadSpec ?? ((id) => deps.client.getConnectionSpec(id)),
  );
  if (!spec) {
    // The integration is gone: its schedule must go too, and nobody is waiting for a result.
    if (work.trigger === "scheduled") await deps.schedules.removeGone(work.integrationId);
    deps.metrics.jobs.inc({ name, outcome: "skipped" });
    return { outcome: "skipped", reason: "integration not found" };
  }
  if (work.trigger === "scheduled") {
    const skip = await reconcileSchedule(deps, spec, work.tenantId, scheduledEveryMs);
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
async function reconcileSchedule(
  deps: ProbeJobDeps,
  spec: ConnectionSpec,
  tenantId: string,
  everyMs: number | undefined,
): Promise<string | null> {
  const desired = desiredSchedule(spec);
  if (desired === "keep") return null;
  if (
    desired === "present" &&
    everyMs === intervalMs(spec.healthCheck.intervalSeconds) &&
    tenantId === spec.tenantId
  )
    return null;
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
