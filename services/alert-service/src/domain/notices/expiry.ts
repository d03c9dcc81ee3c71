import { randomUUID } from "node:crypto";
import type {
  ExpiryNotice,
  IncidentSnapshot,
  IntegrationProbeCompleted,
  IntegrationType,
} from "@hip/contracts";
import { eq, sql } from "drizzle-orm";
import type { Tx } from "../../db/client.ts";
import { type IntegrationRow, integrations, type NoticeRow, notices } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { insertDeliveries, matchingPolicies } from "../deliveries/plan.ts";
import { lockIntegration } from "../projection/integration-row.ts";

const DAY = 86_400_000;
/** Certificates further out than this are not looked at (no policy may ask for more). */
export const MAX_EXPIRY_DAYS = 365;

/**
 * The threshold a certificate or credentials expiry has reached at `at`: the smallest configured day count it is
 * within, `expired` once past, null while further out than every threshold. Only the most urgent one is noticed,
 * so a certificate first seen with 10 days left gets the 14-day notice, not the 30-day one as well.
 */
export function reachedThreshold(expiresAt: number, at: number, days: readonly number[]): string | null {
  if (expiresAt <= at) return "expired";
  const left = (expiresAt - at) / DAY;
  const within = days.filter((d) => left <= d);
  if (within.length === 0) return null;
  return `${Math.min(...within)}d`;
}

/** The notice as the delivery pipeline renders it: a snapshot-shaped description (notices are not incidents). */
export function noticeSnapshot(n: NoticeRow): { incident: IncidentSnapshot; notice: ExpiryNotice } {
  const expired = n.threshold === "expired";
  const what = n.kind === "cert" ? `TLS certificate ${n.subject}` : "Credentials";
  const code = `${n.kind === "cert" ? "CERT" : "CREDENTIALS"}_${expired ? "EXPIRED" : "EXPIRING"}`;
  return {
    notice: {
      id: n.id,
      kind: n.kind as ExpiryNotice["kind"],
      threshold: n.threshold,
      expiresAt: n.expiresAt.toISOString(),
      subject: n.subject,
      fingerprint: n.kind === "cert" && n.subjectKey.includes(":") ? n.subjectKey : null,
    },
    incident: {
      id: n.id,
      tenantId: n.tenantId,
      integrationId: n.integrationId,
      integrationName: n.integrationName,
      integrationType: (n.integrationType as IntegrationType | null) ?? null,
      state: "open",
      openedAt: n.createdAt.toISOString(),
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolveReason: null,
      error: {
        code,
        stage: n.kind === "cert" ? "tls" : "auth",
        message: `${what} ${expired ? "expired" : "expires"} ${n.expiresAt.toISOString()}`,
      },
      flapping: null,
      maintenance: null,
      kind: "STATUS",
      anomaly: null,
      parentIncidentId: null,
      suppressedBy: null,
      childCount: 0,
      children: [],
    },
  };
}

/**
 * Records the notice of a reached threshold once (unique per integration, kind, subject key, threshold) and plans
 * its deliveries to the matching policies' channels in the same transaction. A repeat (later probe, restart,
 * replay) finds the row and does nothing. Facts older than ALERT_NOTIFY_MAX_EVENT_AGE are recorded unnotified.
 */
async function notice(
  tx: Tx,
  deps: Pick<DomainDeps, "notifyMaxEventAgeMs" | "clock">,
  args: {
    integration: IntegrationRow;
    kind: "cert" | "credentials";
    subjectKey: string;
    subject: string;
    expiresAt: Date;
    at: Date;
  },
): Promise<NoticeRow | null> {
  const { integration } = args;
  const policies = await matchingPolicies(tx, integration);
  const days = [...new Set(policies.flatMap((p) => p.expiryDays))];
  const threshold = reachedThreshold(
    args.expiresAt.getTime(),
    args.at.getTime(),
    days.length ? days : [30, 14, 7, 1],
  );
  if (!threshold) return null;
  const notify =
    deps.clock().getTime() - args.at.getTime() <= deps.notifyMaxEventAgeMs && policies.length > 0;
  const [row] = await tx
    .insert(notices)
    .values({
      id: randomUUID(),
      tenantId: integration.tenantId,
      integrationId: integration.id,
      integrationName: integration.name,
      integrationType: integration.type,
      kind: args.kind,
      subjectKey: args.subjectKey,
      subject: args.subject,
      threshold,
      expiresAt: args.expiresAt,
      createdAt: args.at,
      notified: notify,
    })
    .onConflictDoNothing()
    .returning();
  if (!row || !notify) return row ?? null;
  // A policy notices the thresholds it lists (and expiry); deliveries reuse the incident pipeline's keys.
  const planned = policies
    .filter((p) => threshold === "expired" || p.expiryDays.includes(Number.parseInt(threshold, 10)))
    .flatMap((p) =>
      p.channelIds.map((channelId) => ({
        channelId,
        transition: `expiry-${args.kind}-${threshold}`,
        notifyOnResolve: false,
      })),
    );
  await insertDeliveries(tx, { id: row.id, tenantId: row.tenantId }, planned, args.at);
  return row;
}

/** A probe result that carries a certificate: the TLS expiry thresholds it has reached. */
export async function applyCertificate(
  tx: Tx,
  deps: Pick<DomainDeps, "notifyMaxEventAgeMs" | "clock">,
  event: IntegrationProbeCompleted,
): Promise<boolean> {
  const tls = event.data.tls;
  if (!tls) return false;
  const expiresAt = Date.parse(tls.validTo);
  const at = Date.parse(event.data.checkedAt);
  if (Number.isNaN(expiresAt) || expiresAt - at > MAX_EXPIRY_DAYS * DAY) return false;
  const integration = await lockIntegration(tx, event.subject, event.tenantid);
  if (integration.tenantId !== event.tenantid) return false;
  const made = await notice(tx, deps, {
    integration,
    kind: "cert",
    subjectKey: tls.fingerprint256 ?? `${tls.subject}|${tls.validTo}`,
    subject: tls.subject,
    expiresAt: new Date(expiresAt),
    at: new Date(at),
  });
  return made !== null;
}

/** The next instant after `after` at which a credentials expiry reaches one of `days` (or expires). */
export function nextCredentialsDue(expiresAt: number, after: number, days: readonly number[]): number | null {
  const instants = [...days.map((d) => expiresAt - d * DAY), expiresAt].filter((t) => t > after);
  return instants.length ? Math.min(...instants) : null;
}

async function expiryDaysOf(tx: Tx, integration: IntegrationRow): Promise<number[]> {
  const days = [...new Set((await matchingPolicies(tx, integration)).flatMap((p) => p.expiryDays))];
  return days.length ? days : [30, 14, 7, 1];
}

/**
 * A config event set (or changed, or cleared) the credentials expiry: the threshold already reached is noticed
 * now (once), and the next one becomes a stored due time for the timer loop.
 */
export async function scheduleCredentials(
  tx: Tx,
  deps: Pick<DomainDeps, "notifyMaxEventAgeMs" | "clock">,
  integration: IntegrationRow,
  expiresAt: Date | null,
  at: Date,
): Promise<void> {
  let due: number | null = null;
  if (expiresAt) {
    await notice(tx, deps, {
      integration,
      kind: "credentials",
      subjectKey: expiresAt.toISOString(),
      subject: "credentials",
      expiresAt,
      at,
    });
    due = nextCredentialsDue(expiresAt.getTime(), at.getTime(), await expiryDaysOf(tx, integration));
  }
  await tx
    .update(integrations)
    .set({ credentialsExpireAt: expiresAt, credentialsDueAt: due === null ? null : new Date(due) })
    .where(eq(integrations.id, integration.id));
}

/** Timer pass: credentials thresholds that came due are noticed (once each) and the next due time stored. */
export async function fireDueCredentials(
  tx: Tx,
  deps: Pick<DomainDeps, "notifyMaxEventAgeMs" | "clock">,
  now: Date,
): Promise<number> {
  const due = await tx.execute<{ id: string }>(sql`
    select id from alerts.integrations
    where credentials_due_at <= ${now} and deleted_seq is null
    order by credentials_due_at
    limit 100
    for update skip locked`);
  for (const { id } of due.rows) {
    const [row] = await tx.select().from(integrations).where(eq(integrations.id, id));
    if (!row?.credentialsDueAt || !row.credentialsExpireAt) continue;
    await scheduleCredentials(tx, deps, row, row.credentialsExpireAt, row.credentialsDueAt);
  }
  return due.rows.length;
}
