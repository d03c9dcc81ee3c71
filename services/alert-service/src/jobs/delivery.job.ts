import { ALERT_JOB_CATALOG, ALERT_QUEUE, DeliveryJob, type Transition } from "@hip/contracts";
import { DelayedError, type Job, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { DeliveryFailure } from "../channels/model.ts";
import { openChannel } from "../channels/secrets.ts";
import { send } from "../channels/senders/index.ts";
import { type DomainDeps, incidentLink } from "../domain/context.ts";
import { idempotencyKey } from "../domain/deliveries/plan.ts";
import { toSnapshot } from "../domain/incidents/snapshot.ts";
import { noticeSnapshot } from "../domain/notices/expiry.ts";
import type { RetryPolicy } from "../delivery/backoff.ts";
import { nextAttemptDelay } from "../delivery/backoff.ts";
import { claimDelivery, giveUp, recordRetry, recordSuccess } from "../delivery/store.ts";
import type { AlertMetrics } from "../metrics/metrics.ts";

export interface DeliveryWorkerOptions {
  deps: DomainDeps;
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  retry: RetryPolicy;
  metrics: AlertMetrics;
  logger: Logger;
}

/**
 * Processes one delivery attempt. The delivery row is the truth; the job only says "look at this key now".
 * Claim (lease) -> send outside any transaction -> record (conditional on still owning the attempt). Retries
 * move the same job to delayed, so every attempt has the same job id and carries the same idempotency key.
 */
export async function processDelivery(
  job: Pick<Job, "data" | "moveToDelayed">,
  token: string | undefined,
  o: Omit<
    DeliveryWorkerOptions,
    "connection" | "prefix" | "concurrency" | "lockDurationMs" | "stalledIntervalMs"
  >,
): Promise<string> {
  const { key } = DeliveryJob.parse(job.data);
  const { deps, metrics, logger } = o;
  const leaseMs = deps.send.timeoutMs + 5_000;
  const claim = await claimDelivery(deps.db, key, leaseMs, o.retry.maxAgeMs);
  if (claim.kind === "done") return claim.reason;
  if (claim.kind === "wait") {
    await job.moveToDelayed(Date.now() + claim.ms, token);
    throw new DelayedError();
  }
  if (claim.kind === "expired") {
    const d = claim.delivery;
    const failure = {
      code: "MAX_AGE_EXCEEDED",
      message: `gave up after ${d.attempts} attempts (${d.lastError ?? "no answer"})`,
      statusCode: d.lastStatusCode,
    };
    if (await giveUp(deps, d, null, failure, null)) {
      metrics.notifications.inc({ channel_type: d.channelType, outcome: "failed" });
    }
    return "expired";
  }
  const { delivery: d, channel, attempt } = claim;
  // An incident's notice, or an expiry notice rendered in the same shape (plus `notice`).
  const subject = claim.incident
    ? { incident: toSnapshot(claim.incident), notice: undefined }
    : noticeSnapshot(claim.notice as NonNullable<typeof claim.notice>);
  const started = performance.now();
  let sent: { statusCode: number | null; sendMs: number };
  try {
    const res = await send(
      openChannel(deps.ring, channel),
      {
        key: idempotencyKey(subject.incident.id, d.transition),
        transition: d.transition as Transition,
        tenantId: subject.incident.tenantId,
        incident: subject.incident,
        ...(subject.notice ? { notice: subject.notice } : {}),
        link: subject.notice
          ? `${deps.dashboardUrl.replace(/\/$/, "")}/integrations/${subject.incident.integrationId}`
          : incidentLink(deps.dashboardUrl, subject.incident.id),
        createdAt: d.createdAt,
        now: new Date(),
      },
      deps.send,
    );
    sent = { statusCode: res.statusCode, sendMs: performance.now() - started };
  } catch (err) {
    const sendMs = performance.now() - started;
    const f =
      err instanceof DeliveryFailure
        ? err
        : new DeliveryFailure("INTERNAL", err instanceof Error ? err.message : String(err), {
            retryable: true,
          });
    const failure = { code: f.code, message: f.message, statusCode: f.statusCode };
    const delay = f.retryable ? nextAttemptDelay(o.retry, attempt, d.createdAt, f.retryAfterMs) : null;
    if (delay === null) {
      logger.warn({ key, channelType: d.channelType, code: f.code, attempt }, "delivery gave up");
      if (await giveUp(deps, d, attempt, failure, sendMs)) {
        metrics.notifications.inc({ channel_type: d.channelType, outcome: "failed" });
      }
      return "failed";
    }
    const nextAt = new Date(Date.now() + delay);
    logger.info(
      { key, channelType: d.channelType, code: f.code, attempt, delayMs: delay },
      "delivery will retry",
    );
    if (await recordRetry(deps.db, d, attempt, nextAt, failure, sendMs)) {
      metrics.notifications.inc({ channel_type: d.channelType, outcome: "retry" });
    }
    await job.moveToDelayed(nextAt.getTime(), token);
    throw new DelayedError();
  }
  // The receiver has it. A failure to record that is not a failed send: retry the record (the statement is
  // conditional on this attempt, so repeating it is safe) instead of sending again. Only if the database stays
  // unreachable does the job fail; the lease then expires and the repair path may resend, with the same key.
  const { recorded, latencyMs } = await recordWithRetries(
    () => recordSuccess(deps.db, d, attempt, sent.statusCode, sent.sendMs),
    (err, n) => logger.warn({ err, key, attempt: n }, "recording a delivered notification failed; retrying"),
  );
  if (recorded) {
    metrics.notifications.inc({ channel_type: d.channelType, outcome: "success" });
    metrics.deliveryLatency.observe({ channel_type: d.channelType }, latencyMs / 1000);
  }
  return recorded ? "succeeded" : "superseded";
}

/** Up to 6 tries over ~6 s (0.2, 0.4, 0.8, 1.6, 3.2 s apart). */
async function recordWithRetries<T>(
  fn: () => Promise<T>,
  onError: (err: unknown, n: number) => void,
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (err) {
      if (n >= 6) throw err;
      onError(err, n);
      await new Promise((r) => setTimeout(r, 100 * 2 ** n));
    }
  }
}

export function createDeliveryWorker(o: DeliveryWorkerOptions): Worker {
  const worker = new Worker(ALERT_QUEUE, (job, token) => processDelivery(job, token, o), {
    connection: o.connection,
    prefix: o.prefix,
    concurrency: o.concurrency,
    lockDuration: o.lockDurationMs,
    stalledInterval: o.stalledIntervalMs,
    // A job stalled by a crashed replica goes back to waiting; the delivery row's lease decides who sends.
    maxStalledCount: 100,
    autorun: false,
  });
  worker.on("failed", (job, err) => {
    o.logger.error({ key: job?.data?.key, err: err.message }, "delivery job failed");
  });
  worker.on("error", (err) => o.logger.warn({ err: err.message }, "delivery worker error"));
  return worker;
}

export const DELIVER_JOB_OPTS = ALERT_JOB_CATALOG.deliver.opts;
