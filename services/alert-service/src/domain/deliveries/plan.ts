import type { PolicyScope } from "@hip/contracts";
import { and, eq, ne, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import {
  type ChannelRow,
  channels,
  deliveries,
  type IncidentRow,
  incidentTimers,
  policies,
  type PolicyRow,
} from "../../db/schema.ts";

/** NOTIFY channel that wakes the dispatchers when delivery rows commit. */
export const DELIVERY_CHANNEL = "alerts_delivery";

/** The delivery's identity: its row key, its BullMQ job id (three `:`-separated parts, which BullMQ accepts). */
export const deliveryKey = (incidentId: string, transition: string, channelId: string): string =>
  `${incidentId}:${transition}:${channelId}`;

/** The idempotency key receivers see: the same for every attempt and every channel of one notice. */
export const idempotencyKey = (incidentId: string, transition: string): string =>
  `${incidentId}:${transition}`;

export interface PlannedDelivery {
  channelId: string;
  transition: string;
  notifyOnResolve: boolean;
}

export function policyMatches(scope: PolicyScope, integration: { id: string; type: string | null }): boolean {
  if (scope.scope === "all") return true;
  if (scope.scope === "ids") return scope.ids.includes(integration.id);
  return integration.type !== null && (scope.types as string[]).includes(integration.type);
}

/**
 * Per-transaction memo: a consumer batch opens many incidents of the same tenants in one transaction, and the
 * tenant's policies and channels read once at the start are what every event of the batch would have read.
 */
const perTx = new WeakMap<object, Map<string, Promise<unknown>>>();
export function memo<T>(tx: Tx, key: string, load: () => Promise<T>): Promise<T> {
  let m = perTx.get(tx);
  if (!m) {
    m = new Map();
    perTx.set(tx, m);
  }
  let p = m.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    m.set(key, p);
  }
  return p;
}

/** NOTIFY once per transaction: delivered at commit, and a batch needs only one wake-up per channel. */
export function notifyOnce(tx: Tx, channel: string): Promise<unknown> {
  return memo(tx, `notify:${channel}`, () => tx.execute(sql`select pg_notify(${channel}, '')`));
}

async function channelsOf(tx: Tx, tenantId: string, ids: string[]): Promise<Map<string, ChannelRow>> {
  if (ids.length === 0) return new Map();
  const all = await memo(tx, `channels:${tenantId}`, async () => {
    const rows = await tx.select().from(channels).where(eq(channels.tenantId, tenantId));
    return new Map(rows.map((r) => [r.id, r]));
  });
  return new Map(ids.flatMap((id) => (all.has(id) ? [[id, all.get(id) as ChannelRow] as const] : [])));
}

/**
 * Inserts delivery rows (one per key; a second plan of the same key changes nothing but may widen
 * notifyOnResolve) and wakes the dispatchers at commit. Channels deleted meanwhile are skipped.
 */
export async function insertDeliveries(
  tx: Tx,
  /** The incident, or an expiry notice (same id space in `deliveries.incident_id`). */
  incident: Pick<IncidentRow, "id" | "tenantId">,
  planned: PlannedDelivery[],
  originAt: Date,
): Promise<number> {
  const byChannel = await channelsOf(tx, incident.tenantId, [...new Set(planned.map((p) => p.channelId))]);
  const rows = new Map<string, typeof deliveries.$inferInsert>();
  for (const p of planned) {
    const channel = byChannel.get(p.channelId);
    if (!channel) continue;
    const key = deliveryKey(incident.id, p.transition, channel.id);
    const existing = rows.get(key);
    if (existing) {
      existing.notifyOnResolve = Boolean(existing.notifyOnResolve) || p.notifyOnResolve;
      continue;
    }
    rows.set(key, {
      key,
      tenantId: incident.tenantId,
      incidentId: incident.id,
      channelId: channel.id,
      channelType: channel.type,
      channelName: channel.name,
      transition: p.transition,
      notifyOnResolve: p.notifyOnResolve,
      originAt,
      nextAttemptAt: new Date(),
    });
  }
  if (rows.size === 0) return 0;
  await tx
    .insert(deliveries)
    .values([...rows.values()])
    .onConflictDoUpdate({
      target: deliveries.key,
      set: { notifyOnResolve: sql`${deliveries.notifyOnResolve} or excluded.notify_on_resolve` },
    });
  await notifyOnce(tx, DELIVERY_CHANNEL);
  return rows.size;
}

/** The tenant's enabled policies, read once per transaction (a consumer batch shares them). */
export function enabledPolicies(tx: Tx, tenantId: string): Promise<PolicyRow[]> {
  return memo(tx, `policies:${tenantId}`, () =>
    tx
      .select()
      .from(policies)
      .where(and(eq(policies.tenantId, tenantId), eq(policies.enabled, true))),
  );
}

/** The enabled policies whose scope covers the incident's integration. */
export async function matchingPolicies(
  tx: Tx,
  integration: { tenantId: string; id: string; type: string | null },
): Promise<PolicyRow[]> {
  const all = await enabledPolicies(tx, integration.tenantId);
  return all.filter((p) => policyMatches(p.integrations, { id: integration.id, type: integration.type }));
}

/** One notice (`transition`) to every channel of every matching policy; no reminders. */
export async function engagePolicies(
  tx: Tx,
  incident: IncidentRow,
  transition: string,
  originAt: Date,
): Promise<{ policies: string[]; deliveries: number }> {
  const matched = await matchingPolicies(tx, {
    tenantId: incident.tenantId,
    id: incident.integrationId,
    type: incident.integrationType,
  });
  const planned: PlannedDelivery[] = matched.flatMap((p) =>
    p.channelIds.map((channelId) => ({ channelId, transition, notifyOnResolve: p.notifyOnResolve })),
  );
  const count = await insertDeliveries(tx, incident, planned, originAt);
  return { policies: matched.map((p) => p.id), deliveries: count };
}

/**
 * On open: the tenant's enabled policies that match the integration decide the channels (`opened` deliveries)
 * and the reminder/escalation due times (stored as timers, fired by any replica). No policy, no notification.
 */
export async function engageOnOpen(
  tx: Tx,
  incident: IncidentRow,
  /** When the page goes out: the opening, or the end of the maintenance window that held it back. */
  from: Date = incident.openedAt,
): Promise<{ policies: string[]; deliveries: number }> {
  const matched = await matchingPolicies(tx, {
    tenantId: incident.tenantId,
    id: incident.integrationId,
    type: incident.integrationType,
  });
  const { deliveries: count } = await engagePolicies(tx, incident, "opened", from);
  const timers: Array<typeof incidentTimers.$inferInsert> = [];
  for (const p of matched) {
    if (p.renotifyMinutes) {
      timers.push({
        incidentId: incident.id,
        kind: "renotify",
        policyId: p.id,
        tenantId: incident.tenantId,
        dueAt: new Date(from.getTime() + p.renotifyMinutes * 60_000),
        channelIds: p.channelIds,
        intervalMinutes: p.renotifyMinutes,
        notifyOnResolve: p.notifyOnResolve,
      });
    }
    if (p.escalation) {
      timers.push({
        incidentId: incident.id,
        kind: "escalate",
        policyId: p.id,
        tenantId: incident.tenantId,
        dueAt: new Date(from.getTime() + p.escalation.afterMinutes * 60_000),
        channelIds: p.escalation.channelIds,
        intervalMinutes: null,
        notifyOnResolve: p.notifyOnResolve,
      });
    }
  }
  if (timers.length > 0) await tx.insert(incidentTimers).values(timers).onConflictDoNothing();
  return { policies: matched.map((p) => p.id), deliveries: count };
}

/**
 * Follow-ups go to the channels this incident engaged (opened, reminders, escalation, flapping; not cancelled
 * ones): `acknowledged` to PAGERDUTY and WEBHOOK (machines whose state must follow), `resolved` to PAGERDUTY
 * always (it closes the page) and to the others when the engaging policy has notifyOnResolve; `settled` (a
 * flapping integration held still) to every engaged channel: people were told it flaps, they are told it stopped.
 */
export async function engageFollowUp(
  tx: Tx,
  incident: IncidentRow,
  transition: "acknowledged" | "resolved" | "settled",
  originAt: Date,
): Promise<number> {
  const engaged = await tx.execute<{ channel_id: string; channel_type: string; notify: boolean }>(sql`
    select channel_id, channel_type, bool_or(notify_on_resolve) as notify
    from alerts.deliveries
    where incident_id = ${incident.id} and state <> 'cancelled'
      and transition not in ('acknowledged', 'resolved', 'settled')
    group by channel_id, channel_type`);
  const planned = engaged.rows
    .filter((r) =>
      transition === "acknowledged"
        ? r.channel_type === "PAGERDUTY" || r.channel_type === "WEBHOOK"
        : transition === "settled" || r.channel_type === "PAGERDUTY" || r.notify,
    )
    .map((r) => ({ channelId: r.channel_id, transition, notifyOnResolve: r.notify }));
  return insertDeliveries(tx, incident, planned, originAt);
}

/** Kind of the timer that settles a flapping incident (one per incident, under this placeholder policy id). */
export const SETTLE_TIMER = { kind: "settle", policyId: "00000000-0000-0000-0000-000000000000" } as const;

/**
 * Ack, resolve and flapping stop reminders and escalation: timers go, pending reminder deliveries are cancelled.
 * The settle timer of a flapping incident stays unless `all` (resolve): an ack does not end flapping.
 */
export async function cancelReminders(tx: Tx, incidentId: string, opts: { all: boolean }): Promise<void> {
  await tx
    .delete(incidentTimers)
    .where(
      opts.all
        ? eq(incidentTimers.incidentId, incidentId)
        : and(eq(incidentTimers.incidentId, incidentId), ne(incidentTimers.kind, SETTLE_TIMER.kind)),
    );
  await tx.execute(sql`
    update alerts.deliveries set state = 'cancelled', finished_at = now()
    where incident_id = ${incidentId} and state = 'pending'
      and (transition like 'renotify-%' or transition = 'escalated')`);
}
