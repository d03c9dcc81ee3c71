import type { ChannelType, Transition } from "@hip/contracts";
import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, withSystem } from "../db/client.ts";
import {
  type ChannelRow,
  channels,
  type DeliveryRow,
  deliveries,
  type IncidentRow,
  incidents,
  type NoticeRow,
  notices,
} from "../db/schema.ts";
import type { DomainDeps } from "../domain/context.ts";
import { appendTimeline, toSnapshot } from "../domain/incidents/snapshot.ts";
import { enqueueIncidentEvent } from "../domain/outbox/enqueue.ts";

/** What the worker should do with a job, decided under the delivery row's lock. */
export type Claim =
  | { kind: "done"; reason: string }
  | { kind: "wait"; ms: number; reason: string }
  | { kind: "expired"; delivery: DeliveryRow }
  | {
      kind: "send";
      delivery: DeliveryRow;
      channel: ChannelRow;
      /** The incident, or (expiry notices) null and `notice` set. */
      incident: IncidentRow | null;
      notice: NoticeRow | null;
      attempt: number;
    };

const FINAL = new Set(["succeeded", "failed", "cancelled"]);

/**
 * Claims one delivery for one attempt: `sending` under a lease, attempts + 1. Another holder's unexpired lease,
 * or an earlier unfinished delivery to the same channel for the same incident (so PagerDuty never gets a resolve
 * before its trigger), means wait. A crashed sender's expired lease is taken over: that is the crash window,
 * where the same key may be sent twice.
 */
export async function claimDelivery(db: Db, key: string, leaseMs: number, maxAgeMs: number): Promise<Claim> {
  const fast = await claimFast(db, key, leaseMs, maxAgeMs);
  if (fast) return fast;
  return claimSlow(db, key, leaseMs, maxAgeMs);
}

/**
 * The common case in one statement (the system pool's sessions carry the RLS bypass): a due delivery with no
 * earlier unfinished notice to the same channel, within its max age, whose channel and incident exist.
 * Anything else (lease held, ordering wait, expired, deleted channel, unknown key) goes the slow path.
 */
async function claimFast(db: Db, key: string, leaseMs: number, maxAgeMs: number): Promise<Claim | null> {
  const res = await db.execute<{ key: string }>(sql`
    update alerts.deliveries d
    set state = 'sending', attempts = d.attempts + 1, last_attempt_at = clock_timestamp(),
        lease_until = clock_timestamp() + make_interval(secs => ${leaseMs / 1000})
    where d.key = ${key}
      and (d.state = 'pending' or (d.state = 'sending' and d.lease_until <= clock_timestamp()))
      and (d.attempts = 0 or d.created_at + make_interval(secs => ${maxAgeMs / 1000}) > clock_timestamp())
      and exists (select 1 from alerts.channels c where c.id = d.channel_id)
      and not exists (
        select 1 from alerts.deliveries e
        where e.incident_id = d.incident_id and e.channel_id = d.channel_id and e.key <> d.key
          and e.created_at < d.created_at and e.state in ('pending', 'sending'))
    returning d.key`);
  if (res.rows.length === 0) return null;
  const [row] = await db
    .select({ delivery: deliveries, channel: channels, incident: incidents, notice: notices })
    .from(deliveries)
    .innerJoin(channels, eq(channels.id, deliveries.channelId))
    .leftJoin(incidents, eq(incidents.id, deliveries.incidentId))
    .leftJoin(notices, eq(notices.id, deliveries.incidentId))
    .where(eq(deliveries.key, key));
  if (!row || (!row.incident && !row.notice)) return null;
  return {
    kind: "send",
    delivery: row.delivery,
    channel: row.channel,
    incident: row.incident,
    notice: row.notice,
    attempt: row.delivery.attempts,
  };
}

async function claimSlow(db: Db, key: string, leaseMs: number, maxAgeMs: number): Promise<Claim> {
  return withSystem(db, async (tx) => {
    const [d] = await tx.select().from(deliveries).where(eq(deliveries.key, key)).for("update");
    if (!d) return { kind: "done", reason: "unknown delivery" };
    if (FINAL.has(d.state)) return { kind: "done", reason: `already ${d.state}` };
    const now = Date.now();
    if (d.state === "sending" && d.leaseUntil && d.leaseUntil.getTime() > now) {
      return {
        kind: "wait",
        ms: d.leaseUntil.getTime() - now + 50,
        reason: "another attempt holds the lease",
      };
    }
    const earlier = await tx.execute<{ n: number }>(sql`
      select 1 as n from alerts.deliveries
      where incident_id = ${d.incidentId} and channel_id = ${d.channelId} and key <> ${d.key}
        and created_at < ${d.createdAt} and state in ('pending', 'sending')
      limit 1`);
    if (earlier.rows.length > 0)
      return { kind: "wait", ms: 1000, reason: "an earlier notice to this channel is pending" };
    const [channel] = await tx.select().from(channels).where(eq(channels.id, d.channelId));
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, d.incidentId));
    const [notice] = incident ? [] : await tx.select().from(notices).where(eq(notices.id, d.incidentId));
    if (!channel || (!incident && !notice)) {
      await tx
        .update(deliveries)
        .set({ state: "cancelled", finishedAt: new Date(), lastError: "channel deleted", leaseUntil: null })
        .where(eq(deliveries.key, key));
      return { kind: "done", reason: "channel deleted" };
    }
    if (d.attempts > 0 && now >= d.createdAt.getTime() + maxAgeMs) return { kind: "expired", delivery: d };
    const attempt = d.attempts + 1;
    const [claimed] = await tx
      .update(deliveries)
      .set({
        state: "sending",
        attempts: attempt,
        lastAttemptAt: new Date(now),
        leaseUntil: new Date(now + leaseMs),
      })
      .where(eq(deliveries.key, key))
      .returning();
    if (!claimed) return { kind: "done", reason: "vanished" };
    return {
      kind: "send",
      delivery: claimed,
      channel,
      incident: incident ?? null,
      notice: notice ?? null,
      attempt,
    };
  });
}

function attemptEntry(
  d: DeliveryRow,
  attempt: number,
  outcome: "success" | "retry" | "failed",
  extra: {
    statusCode: number | null;
    latencyMs: number | null;
    error: { code: string; message: string } | null;
  },
) {
  return {
    key: d.key,
    channelId: d.channelId,
    channelName: d.channelName,
    channelType: d.channelType,
    transition: d.transition,
    attempt,
    outcome,
    ...extra,
  };
}

/**
 * Records the receiver's 2xx. Conditional on this attempt still owning the row (`sending`, same attempt number):
 * at most one success is ever recorded per key. Returns false when another attempt took over meanwhile.
 */
export async function recordSuccess(
  db: Db,
  d: DeliveryRow,
  attempt: number,
  statusCode: number | null,
  sendMs: number,
): Promise<{ recorded: boolean; latencyMs: number }> {
  const now = new Date();
  // Clamped to the column (int4): an origin far in the past (a clock-simulated test, a long-held notice).
  const latencyMs = Math.min(2_147_483_647, Math.max(0, now.getTime() - d.originAt.getTime()));
  const data = attemptEntry(d, attempt, "success", {
    statusCode,
    latencyMs: Math.round(sendMs),
    error: null,
  });
  // One statement: the conditional success and its timeline entry commit together.
  const res = await db.execute<{ n: number }>(sql`
    with done as (
      update alerts.deliveries
      set state = 'succeeded', succeeded_at = ${now}, finished_at = ${now}, latency_ms = ${latencyMs},
          last_status_code = ${statusCode}, last_error = null, lease_until = null
      where key = ${d.key} and state = 'sending' and attempts = ${attempt}
      returning tenant_id, incident_id
    )
    insert into alerts.timeline (tenant_id, incident_id, at, kind, actor, data)
    select tenant_id, incident_id, ${now}, 'delivery', 'system', ${JSON.stringify(data)}::jsonb from done
    returning 1 as n`);
  const recorded = res.rows.length > 0;
  return { recorded, latencyMs };
}

/** Records a failed attempt that will be retried at `nextAt` (the job is delayed until then). */
export async function recordRetry(
  db: Db,
  d: DeliveryRow,
  attempt: number,
  nextAt: Date,
  failure: { code: string; message: string; statusCode: number | null },
  sendMs: number,
): Promise<boolean> {
  return withSystem(db, async (tx) => {
    const done = await tx
      .update(deliveries)
      .set({
        state: "pending",
        nextAttemptAt: nextAt,
        enqueuedAt: new Date(),
        lastError: `${failure.code}: ${failure.message}`.slice(0, 1000),
        lastStatusCode: failure.statusCode,
        leaseUntil: null,
      })
      .where(
        and(eq(deliveries.key, d.key), eq(deliveries.state, "sending"), eq(deliveries.attempts, attempt)),
      )
      .returning({ key: deliveries.key });
    if (done.length === 0) return false;
    await appendTimeline(tx, {
      tenantId: d.tenantId,
      incidentId: d.incidentId,
      kind: "delivery",
      actor: "system",
      data: {
        ...attemptEntry(d, attempt, "retry", {
          statusCode: failure.statusCode,
          latencyMs: Math.round(sendMs),
          error: { code: failure.code, message: failure.message },
        }),
        nextAttemptAt: nextAt.toISOString(),
      },
    });
    return true;
  });
}

/**
 * Gives up on a delivery (permanent failure, or past ALERT_DELIVERY_MAX_AGE): state `failed`, a timeline entry,
 * and `incident.notification_failed` through the outbox, all in one transaction.
 */
export async function giveUp(
  deps: Pick<DomainDeps, "db" | "topics">,
  d: DeliveryRow,
  attempt: number | null,
  failure: { code: string; message: string; statusCode: number | null },
  sendMs: number | null,
): Promise<boolean> {
  return withSystem(deps.db, async (tx) => {
    const owned =
      attempt === null
        ? and(eq(deliveries.key, d.key), inArray(deliveries.state, ["pending", "sending"]))
        : and(eq(deliveries.key, d.key), eq(deliveries.state, "sending"), eq(deliveries.attempts, attempt));
    const done = await tx
      .update(deliveries)
      .set({
        state: "failed",
        finishedAt: new Date(),
        lastError: `${failure.code}: ${failure.message}`.slice(0, 1000),
        lastStatusCode: failure.statusCode,
        leaseUntil: null,
      })
      .where(owned)
      .returning();
    const row = done[0];
    if (!row) return false;
    const [incident] = await tx.select().from(incidents).where(eq(incidents.id, d.incidentId));
    if (sendMs !== null && attempt !== null) {
      await appendTimeline(tx, {
        tenantId: d.tenantId,
        incidentId: d.incidentId,
        kind: "delivery",
        actor: "system",
        data: attemptEntry(d, attempt, "failed", {
          statusCode: failure.statusCode,
          latencyMs: Math.round(sendMs),
          error: { code: failure.code, message: failure.message },
        }),
      });
    }
    const delivery = {
      key: d.key,
      channelId: d.channelId,
      channelName: d.channelName,
      channelType: d.channelType as ChannelType,
      transition: d.transition as Transition,
      attempts: row.attempts,
      lastError: {
        code: failure.code,
        message: failure.message.slice(0, 1000),
        statusCode: failure.statusCode,
      },
    };
    await appendTimeline(tx, {
      tenantId: d.tenantId,
      incidentId: d.incidentId,
      kind: "notification_failed",
      actor: "system",
      data: { ...delivery, error: delivery.lastError },
    });
    if (incident) {
      await enqueueIncidentEvent(tx, {
        topic: deps.topics.incident,
        type: "incident.notification_failed",
        tenantId: d.tenantId,
        integrationId: incident.integrationId,
        data: { incident: toSnapshot(incident), delivery },
      });
    }
    return true;
  });
}
