import type { TimelineEntry } from "@hip/contracts";
import { formatLatency } from "../../lib/format.ts";

/** What the timeline shows for one entry: a title, a detail line and a colour (the text carries the meaning). */
export interface TimelineLine {
  title: string;
  detail: string | null;
  color: "red" | "green" | "yellow" | "blue" | "gray" | "orange";
}

const text = (v: unknown): string | null => (typeof v === "string" && v ? v : null);
const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

const RESOLVE_REASONS: Record<string, string> = {
  recovered: "the integration is active again",
  inactive: "the integration was set inactive",
  deleted: "the integration was deleted",
};

function errorText(e: unknown): string | null {
  if (typeof e === "string") return e || null;
  const o = obj(e);
  if (!o) return null;
  const parts = [text(o.code), text(o.message)].filter(Boolean);
  return parts.length ? parts.join(": ") : null;
}

function channelText(d: Record<string, unknown>): string {
  const name = text(d.channelName) ?? "a channel";
  const type = text(d.channelType);
  return type ? `${name} (${type})` : name;
}

export function describeTimelineEntry(entry: TimelineEntry): TimelineLine {
  const d = entry.data;
  switch (entry.kind) {
    case "opened": {
      const e = obj(d.error);
      const code = text(e?.code);
      const stage = text(e?.stage);
      const message = text(e?.message);
      const head = [code, stage ? `stage ${stage}` : null].filter(Boolean).join(" · ");
      const parts = [head || null, message].filter(Boolean);
      if (d.notified !== false && num(d.deliveries) === 0)
        parts.push("no policy matched: nobody was notified");
      return {
        title: d.notified === false ? "Opened (history, nobody notified)" : "Opened",
        detail: parts.length ? parts.join(" — ") : null,
        color: "red",
      };
    }
    case "delivery": {
      const outcome = text(d.outcome) ?? "unknown";
      const status = num(d.statusCode);
      const latency = num(d.latencyMs);
      const facts = [
        text(d.transition),
        num(d.attempt) !== null ? `attempt ${num(d.attempt)}` : null,
        status !== null ? `HTTP ${status}` : null,
        latency !== null ? formatLatency(latency) : null,
        errorText(d.error),
      ].filter(Boolean);
      const verb =
        outcome === "success" ? "Delivered" : outcome === "retry" ? "Will retry" : "Delivery failed";
      return {
        title: `${verb} via ${channelText(d)}`,
        detail: facts.join(" · ") || null,
        color: outcome === "success" ? "green" : outcome === "retry" ? "yellow" : "red",
      };
    }
    case "acknowledged":
      return { title: `Acknowledged by ${entry.actor}`, detail: text(d.note), color: "blue" };
    case "note":
      return { title: `Note by ${entry.actor}`, detail: text(d.text), color: "gray" };
    case "escalated":
    case "renotified": {
      const ids = Array.isArray(d.channelIds) ? d.channelIds.length : 0;
      return {
        title: entry.kind === "escalated" ? "Escalated" : "Reminder sent",
        detail: `${text(d.transition) ?? entry.kind} · ${ids} channel${ids === 1 ? "" : "s"}`,
        color: "orange",
      };
    }
    case "notification_failed": {
      const attempts = num(d.attempts);
      const facts = [
        text(d.transition),
        attempts !== null ? `${attempts} attempt${attempts === 1 ? "" : "s"}` : null,
        errorText(d.error),
      ].filter(Boolean);
      return {
        title: `Gave up notifying ${channelText(d)}`,
        detail: facts.join(" · ") || null,
        color: "red",
      };
    }
    case "flapping":
      return {
        title: "Flapping: notifications paused",
        detail: `${num(d.changes) ?? "?"} status changes in ${num(d.windowMinutes) ?? "?"} min · quiet until stable for ${
          num(d.stableMinutes) ?? "?"
        } min`,
        color: "orange",
      };
    case "flap_status":
      return {
        title: `Status changed to ${text(d.to) ?? "?"} (flapping, no notice)`,
        detail: null,
        color: "gray",
      };
    case "settled":
      return {
        title: `Settled: ${text(d.status) === "ERROR" ? "still failing" : "working again"}`,
        detail: `stable for ${num(d.stableMinutes) ?? "?"} min`,
        color: text(d.status) === "ERROR" ? "red" : "green",
      };
    case "maintenance_ended":
      return {
        title: "Maintenance window ended, still failing",
        detail: `${num(d.deliveries) ?? 0} notification${num(d.deliveries) === 1 ? "" : "s"} sent`,
        color: "red",
      };
    case "suppressed":
      return {
        title: "Suppressed: an integration it depends on is failing",
        detail: text(d.parentIncidentId) ? `parent incident ${text(d.parentIncidentId)}` : null,
        color: "gray",
      };
    case "children_affected":
      return {
        title: `${num(d.children) ?? "?"} dependent integration${num(d.children) === 1 ? "" : "s"} affected`,
        detail: `one digest · ${num(d.deliveries) ?? 0} notification${num(d.deliveries) === 1 ? "" : "s"} sent`,
        color: "orange",
      };
    case "dependency_released":
      return {
        title: "Parent recovered, still failing",
        detail: `${num(d.deliveries) ?? 0} notification${num(d.deliveries) === 1 ? "" : "s"} sent`,
        color: "red",
      };
    case "resolved": {
      const reason = text(d.reason);
      return {
        title: "Resolved",
        detail: reason ? (RESOLVE_REASONS[reason] ?? reason) : null,
        color: "green",
      };
    }
  }
}

/** "3 h 12 min", "45 s": incident durations need more precision than the integration list's rounding. */
export function formatIncidentDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
