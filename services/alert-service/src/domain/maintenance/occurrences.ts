import { randomUUID } from "node:crypto";
import { cloudEvent, EVENT_SOURCES, type TopicNames } from "@hip/contracts";
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type MaintenanceRow, maintenanceWindows, outbox } from "../../db/schema.ts";
import { notifyOnce } from "../deliveries/plan.ts";
import { OUTBOX_CHANNEL } from "../outbox/enqueue.ts";
import { type Occurrence, occurrenceAt, occurrencesBetween, upcoming, type WindowSpec } from "./schedule.ts";

/**
 * `maintenance.occurrence` events (docs/decisions/0512): one when an occurrence starts (fired from the stored
 * `next_start_at` by the timer loop, so a restart neither repeats nor skips one), and one with the same `startsAt`
 * when an edit or delete changes a running occurrence's end. Published through the outbox, key = window id.
 */

const specOfRow = (row: MaintenanceRow): WindowSpec => ({
  start: row.startLocal,
  timeZone: row.timeZone,
  durationMinutes: row.durationMinutes,
  rrule: row.rrule,
});

async function publish(
  tx: Tx,
  topics: TopicNames,
  row: MaintenanceRow,
  o: Occurrence,
  now: Date,
): Promise<void> {
  const [bumped] = await tx
    .update(maintenanceWindows)
    .set({ eventSeq: sql`${maintenanceWindows.eventSeq} + 1` })
    .where(eq(maintenanceWindows.id, row.id))
    .returning({ seq: maintenanceWindows.eventSeq });
  // A deleted window: the delete runs after this, in the same transaction, so the row is still there.
  const seq = bumped?.seq ?? row.eventSeq + 1;
  const id = randomUUID();
  const payload = cloudEvent({
    id,
    type: "maintenance.occurrence",
    source: EVENT_SOURCES.alertService,
    subject: row.id,
    tenantId: row.tenantId,
    sequence: seq,
    time: now,
    data: {
      window: { id: row.id, name: row.name, scope: row.scope },
      startsAt: o.startsAt.toISOString(),
      endsAt: o.endsAt.toISOString(),
    },
  });
  await tx.insert(outbox).values({
    id,
    tenantId: row.tenantId,
    integrationId: row.id,
    sequence: seq,
    topic: topics.incident,
    eventType: "maintenance.occurrence",
    payload: payload as unknown as Record<string, unknown>,
    createdAt: now,
  });
  await notifyOnce(tx, OUTBOX_CHANNEL);
}

/** The first occurrence starting after `after` (null: none within ten years, or a one-off already past). */
function nextStart(spec: WindowSpec, after: Date): Date | null {
  return upcoming(spec, after, 3).find((o) => o.startsAt > after)?.startsAt ?? null;
}

/**
 * After a create or update (`before` = the row before it, null on create): a running occurrence is announced
 * (again, with its new end), one the edit ended or moved is announced as ending now, and the next start is stored.
 */
export async function announceChange(
  tx: Tx,
  topics: TopicNames,
  before: MaintenanceRow | null,
  after: MaintenanceRow,
  now: Date,
): Promise<void> {
  const was = before ? occurrenceAt(specOfRow(before), now) : null;
  const is = occurrenceAt(specOfRow(after), now);
  if (was && (!is || is.startsAt.getTime() !== was.startsAt.getTime())) {
    await publish(tx, topics, after, { startsAt: was.startsAt, endsAt: now }, now);
  }
  if (is && (!was || was.endsAt.getTime() !== is.endsAt.getTime() || before?.name !== after.name)) {
    await publish(tx, topics, after, is, now);
  }
  await tx
    .update(maintenanceWindows)
    .set({ nextStartAt: nextStart(specOfRow(after), now) })
    .where(eq(maintenanceWindows.id, after.id));
}

/** Before a delete: a running occurrence ends now. */
export async function announceDelete(
  tx: Tx,
  topics: TopicNames,
  row: MaintenanceRow,
  now: Date,
): Promise<void> {
  const is = occurrenceAt(specOfRow(row), now);
  if (is) await publish(tx, topics, row, { startsAt: is.startsAt, endsAt: now }, now);
}

/**
 * Timer pass: every window whose next start is due announces the occurrences that started up to `now` (after a
 * long stop, each one it missed: they are facts for uptime figures) and stores the next start.
 */
export async function fireDueOccurrences(tx: Tx, topics: TopicNames, now: Date): Promise<number> {
  const due = await tx.execute<{ id: string }>(sql`
    select id from alerts.maintenance_windows
    where next_start_at <= ${now}
    order by next_start_at
    limit 100
    for update skip locked`);
  let n = 0;
  for (const { id } of due.rows) {
    const [row] = await tx.select().from(maintenanceWindows).where(eq(maintenanceWindows.id, id));
    if (!row?.nextStartAt) continue;
    const spec = specOfRow(row);
    const started = occurrencesBetween(spec, row.nextStartAt, new Date(now.getTime() + 1), 100).filter(
      (o) => o.startsAt >= (row.nextStartAt as Date) && o.startsAt <= now,
    );
    for (const o of started) {
      await publish(tx, topics, row, o, now);
      n++;
    }
    await tx
      .update(maintenanceWindows)
      .set({ nextStartAt: nextStart(spec, now) })
      .where(eq(maintenanceWindows.id, row.id));
  }
  return n;
}
