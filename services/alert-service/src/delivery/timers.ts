import { and, eq, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { type Db, withSystem } from "../db/client.ts";
import {
  type IncidentRow,
  type IncidentTimerRow,
  incidents,
  incidentTimers,
  integrations,
} from "../db/schema.ts";
import type { DomainDeps } from "../domain/context.ts";
import { CHECK_TIMER, DIGEST_TIMER, fireCheck, fireDigest } from "../domain/dependencies/dependencies.ts";
import { insertDeliveries, SETTLE_TIMER } from "../domain/deliveries/plan.ts";
import { settleFlapping } from "../domain/flapping/flapping.ts";
import { endMaintenance, MAINTENANCE_TIMER } from "../domain/maintenance/in-maintenance.ts";
import { fireDueOccurrences } from "../domain/maintenance/occurrences.ts";
import { fireDueCredentials } from "../domain/notices/expiry.ts";
import { appendTimeline } from "../domain/incidents/snapshot.ts";

/**
 * Fires due re-notification and escalation timers. The due times live in the database, so a restart neither
 * repeats nor forgets one: a timer fires under FOR UPDATE SKIP LOCKED in the same transaction as the deliveries
 * it creates (deterministic keys `renotify-<n>` / `escalated`), and moves on (`fired`, next due time) there too.
 */
export class TimerLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">;

  constructor(opts: {
    db: Db;
    logger: Logger;
    pollMs: number;
    deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">;
  }) {
    this.db = opts.db;
    this.logger = opts.logger;
    this.pollMs = opts.pollMs;
    this.deps = opts.deps;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.pollMs);
    this.tick();
  }

  private tick(): void {
    if (this.stopped || this.running) return;
    this.running = this.fireDue()
      .then(() => undefined)
      .catch((err: unknown) => this.logger.error({ err }, "timer pass failed"))
      .finally(() => {
        this.running = null;
      });
  }

  /** Fires every due timer (in batches); returns how many fired. */
  async fireDue(now = this.deps.clock()): Promise<number> {
    // Maintenance occurrences that started: announced for the stats service (not counted as incident timers).
    while ((await withSystem(this.db, (tx) => fireDueOccurrences(tx, this.deps.topics, now))) > 0) {}
    // Credentials expiry thresholds that came due (notices, not incidents).
    while ((await withSystem(this.db, (tx) => fireDueCredentials(tx, this.deps, now))) > 0) {}
    let total = 0;
    for (;;) {
      const n = await withSystem(this.db, async (tx) => {
        // Raw SQL for the lock: FOR UPDATE OF needs the unqualified alias, which the query builder cannot emit.
        const locked = await tx.execute<{ incident_id: string; kind: string; policy_id: string }>(sql`
          select t.incident_id, t.kind, t.policy_id
          from alerts.incident_timers t join alerts.incidents i on i.id = t.incident_id
          where t.due_at <= ${now} and i.resolved_at is null
            and (i.state = 'open'
              or t.kind in (${SETTLE_TIMER.kind}, ${MAINTENANCE_TIMER.kind}, ${DIGEST_TIMER.kind}, ${CHECK_TIMER.kind}))
          order by t.due_at
          limit 100
          for update of t skip locked`);
        const due: Array<{ timer: IncidentTimerRow; incident: IncidentRow }> = [];
        for (const k of locked.rows) {
          const [row] = await tx
            .select({ timer: incidentTimers, incident: incidents })
            .from(incidentTimers)
            .innerJoin(incidents, eq(incidents.id, incidentTimers.incidentId))
            .where(
              and(
                eq(incidentTimers.incidentId, k.incident_id),
                eq(incidentTimers.kind, k.kind),
                eq(incidentTimers.policyId, k.policy_id),
              ),
            );
          if (row) due.push(row);
        }
        for (const { timer, incident } of due) await this.fire(tx, timer, incident, now);
        return due.length;
      });
      total += n;
      if (n < 100) return total;
    }
  }

  private async fire(
    tx: Parameters<Parameters<Db["transaction"]>[0]>[0],
    timer: IncidentTimerRow,
    incident: IncidentRow,
    now: Date,
  ): Promise<void> {
    if (timer.kind === DIGEST_TIMER.kind) {
      await fireDigest(tx, incident, timer.dueAt);
      return;
    }
    if (
      timer.kind === SETTLE_TIMER.kind ||
      timer.kind === MAINTENANCE_TIMER.kind ||
      timer.kind === CHECK_TIMER.kind
    ) {
      const [integration] = await tx
        .select()
        .from(integrations)
        .where(eq(integrations.id, incident.integrationId))
        .for("update");
      if (!integration) return;
      if (timer.kind === CHECK_TIMER.kind) {
        await fireCheck(tx, incident, integration, timer.dueAt);
        return;
      }
      if (timer.kind === MAINTENANCE_TIMER.kind) {
        await endMaintenance(tx, incident, integration, timer.dueAt);
        return;
      }
      await settleFlapping(tx, this.deps, {
        incident,
        integration,
        dueAt: timer.dueAt,
        stableMinutes: timer.intervalMinutes ?? 15,
      });
      return;
    }
    const where = and(
      eq(incidentTimers.incidentId, timer.incidentId),
      eq(incidentTimers.kind, timer.kind),
      eq(incidentTimers.policyId, timer.policyId),
    );
    const transition = timer.kind === "renotify" ? `renotify-${timer.fired + 1}` : "escalated";
    const planned = timer.channelIds.map((channelId) => ({
      channelId,
      transition,
      notifyOnResolve: timer.notifyOnResolve,
    }));
    const count = await insertDeliveries(tx, incident, planned, timer.dueAt);
    await appendTimeline(tx, {
      tenantId: incident.tenantId,
      incidentId: incident.id,
      kind: timer.kind === "renotify" ? "renotified" : "escalated",
      actor: "system",
      at: now,
      data: { transition, channelIds: timer.channelIds, policyId: timer.policyId, deliveries: count },
    });
    if (timer.kind === "renotify" && timer.intervalMinutes) {
      const period = timer.intervalMinutes * 60_000;
      let next = timer.dueAt.getTime() + period;
      // After downtime, one reminder now and the next a full period later, not a burst of missed ones.
      if (next <= now.getTime()) next = now.getTime() + period;
      await tx
        .update(incidentTimers)
        .set({ fired: timer.fired + 1, dueAt: new Date(next) })
        .where(where);
    } else {
      await tx.delete(incidentTimers).where(where);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
