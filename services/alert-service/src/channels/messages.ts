import type { IncidentSnapshot } from "@hip/contracts";
import type { AlertMessage } from "./model.ts";

/** Human words for each notice; every channel format uses these, so they say the same thing everywhere. */
export function integrationLabel(incident: IncidentSnapshot): string {
  return incident.integrationName ?? `integration ${incident.integrationId}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

const REASONS = {
  recovered: "recovered",
  inactive: "was set INACTIVE",
  deleted: "was deleted",
} as const;

/** What is wrong, by incident kind (traffic anomalies say which; a status incident "is failing"). */
const PROBLEM = {
  STATUS: "is failing",
  SILENT_FEED: "is silent (no messages flowing)",
  ERROR_SPIKE: "has an error spike",
  QUEUE_BACKLOG: "has a queue backlog",
} as const;

export function problem(incident: IncidentSnapshot): string {
  return PROBLEM[incident.kind ?? "STATUS"];
}

export function openFor(msg: AlertMessage): number {
  const end = msg.incident.resolvedAt ? new Date(msg.incident.resolvedAt) : msg.now;
  return end.getTime() - new Date(msg.incident.openedAt).getTime();
}

/** One line: what happened. */
export function headline(msg: AlertMessage): string {
  const name = integrationLabel(msg.incident);
  const t = msg.transition;
  if (t === "test") return `[TEST] Notification channel check: ${name}`;
  if (t === "opened") return `[OPEN] ${name} ${problem(msg.incident)}`;
  if (t === "acknowledged")
    return `[ACK] ${name}: acknowledged by ${msg.incident.acknowledgedBy ?? "an admin"}`;
  if (t === "resolved") {
    const reason = REASONS[msg.incident.resolveReason ?? "recovered"];
    return `[RESOLVED] ${name} ${reason} after ${formatDuration(openFor(msg))}`;
  }
  if (msg.notice) {
    const n = msg.notice;
    const what = n.kind === "cert" ? `TLS certificate (${n.subject})` : "credentials";
    if (n.threshold === "expired") return `[EXPIRED] ${name}: ${what} expired ${n.expiresAt}`;
    return `[EXPIRES SOON] ${name}: ${what} expires in under ${n.threshold.replace("d", "")} days (${n.expiresAt})`;
  }
  if (t === "flapping") {
    const f = msg.incident.flapping;
    return `[FLAPPING] ${name} keeps changing between failing and working${
      f ? ` (${f.changes} changes); quiet until it holds for ${f.stableMinutes} min` : ""
    }`;
  }
  if (t === "children") {
    const kids = msg.incident.children;
    const n = Math.max(msg.incident.childCount, kids.length);
    const names = kids.slice(0, 10).map((c) => c.integrationName ?? c.integrationId);
    const more = n > names.length ? ` and ${n - names.length} more` : "";
    return `[AFFECTED] ${name} ${problem(msg.incident)}; ${n} dependent integration${n === 1 ? "" : "s"} affected (not paged separately): ${names.join(", ")}${more}`;
  }
  if (t === "settled") {
    const f = msg.incident.flapping;
    return f?.settledStatus === "ERROR"
      ? `[SETTLED] ${name} stopped flapping and is failing`
      : `[SETTLED] ${name} stopped flapping and is working`;
  }
  if (t === "escalated") {
    return `[ESCALATED] ${name} is still failing, unacknowledged for ${formatDuration(openFor(msg))}`;
  }
  const n = t.slice("renotify-".length);
  return `[STILL OPEN] ${name} has been failing for ${formatDuration(openFor(msg))} (reminder ${n})`;
}

/** Label/value pairs shown under the headline (same order in every format). */
export function facts(msg: AlertMessage): Array<[string, string]> {
  const i = msg.incident;
  const out: Array<[string, string]> = [
    ["Integration", integrationLabel(i)],
    ["Type", i.integrationType ?? "unknown"],
    ["Tenant", i.tenantId],
    ["State", i.state],
    ...(i.kind && i.kind !== "STATUS" ? ([["Kind", i.kind]] as Array<[string, string]>) : []),
    ["Opened", i.openedAt],
  ];
  if (i.error) {
    out.push(["Error", `${i.error.code}${i.error.stage ? ` at ${i.error.stage}` : ""}`]);
    out.push(["Message", i.error.message.slice(0, 500)]);
  }
  if (i.maintenance) {
    out.push([
      "Maintenance",
      `${i.maintenance.windowName} until ${i.maintenance.endsAt} (held back until then)`,
    ]);
  }
  if (i.flapping) {
    out.push(["Flapping since", `${i.flapping.since} (${i.flapping.changes} changes)`]);
    if (i.flapping.settledAt) out.push(["Settled", `${i.flapping.settledAt} (${i.flapping.settledStatus})`]);
  }
  if (i.acknowledgedAt) out.push(["Acknowledged", `${i.acknowledgedAt} by ${i.acknowledgedBy ?? "?"}`]);
  if (i.resolvedAt) out.push(["Resolved", `${i.resolvedAt} (${i.resolveReason ?? "recovered"})`]);
  out.push(["Incident", i.id]);
  return out;
}
