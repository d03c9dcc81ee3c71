import type { TimelineEntry } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { describeTimelineEntry, formatIncidentDuration } from "./timeline.ts";

const entry = (
  kind: TimelineEntry["kind"],
  data: Record<string, unknown>,
  actor = "system",
): TimelineEntry => ({
  id: "1",
  at: "2026-01-01T10:00:00.000Z",
  kind,
  actor,
  data,
});

describe("incident timeline", () => {
  it("shows the failing probe's error code, stage and message when opened", () => {
    const line = describeTimelineEntry(
      entry("opened", {
        error: { code: "ECONNREFUSED", stage: "connect", message: "connect ECONNREFUSED 127.0.0.1:9" },
        deliveries: 1,
      }),
    );
    expect(line).toEqual({
      title: "Opened",
      detail: "ECONNREFUSED · stage connect — connect ECONNREFUSED 127.0.0.1:9",
      color: "red",
    });
  });

  it("says when an opening paged nobody (no policy, or history)", () => {
    expect(describeTimelineEntry(entry("opened", { error: null, deliveries: 0 })).detail).toBe(
      "no policy matched: nobody was notified",
    );
    expect(
      describeTimelineEntry(entry("opened", { error: null, notified: false, deliveries: 0 })).title,
    ).toBe("Opened (history, nobody notified)");
  });

  it("shows each delivery attempt with channel, outcome, status and latency", () => {
    const ok = describeTimelineEntry(
      entry("delivery", {
        channelName: "Ops hook",
        channelType: "WEBHOOK",
        transition: "opened",
        attempt: 1,
        outcome: "success",
        statusCode: 200,
        latencyMs: 42,
        error: null,
      }),
    );
    expect(ok).toEqual({
      title: "Delivered via Ops hook (WEBHOOK)",
      detail: "opened · attempt 1 · HTTP 200 · 42 ms",
      color: "green",
    });
    const retry = describeTimelineEntry(
      entry("delivery", {
        channelName: "Slack",
        channelType: "SLACK",
        transition: "opened",
        attempt: 2,
        outcome: "retry",
        statusCode: 503,
        latencyMs: 12,
        error: { code: "HTTP_503", message: "Service Unavailable" },
      }),
    );
    expect(retry.title).toBe("Will retry via Slack (SLACK)");
    expect(retry.detail).toBe("opened · attempt 2 · HTTP 503 · 12 ms · HTTP_503: Service Unavailable");
    expect(retry.color).toBe("yellow");
    expect(describeTimelineEntry(entry("delivery", { outcome: "failed" })).color).toBe("red");
  });

  it("shows ack, notes, give-ups and the resolve reason", () => {
    expect(describeTimelineEntry(entry("acknowledged", { note: "on it" }, "alice"))).toEqual({
      title: "Acknowledged by alice",
      detail: "on it",
      color: "blue",
    });
    expect(describeTimelineEntry(entry("note", { text: "vendor called" }, "bob")).title).toBe("Note by bob");
    expect(
      describeTimelineEntry(
        entry("notification_failed", {
          channelName: "PD",
          channelType: "PAGERDUTY",
          transition: "opened",
          attempts: 7,
          error: { code: "HTTP_400", message: "bad routing key" },
        }),
      ),
    ).toMatchObject({
      title: "Gave up notifying PD (PAGERDUTY)",
      detail: "opened · 7 attempts · HTTP_400: bad routing key",
    });
    expect(describeTimelineEntry(entry("resolved", { reason: "recovered" })).detail).toBe(
      "the integration is active again",
    );
    expect(
      describeTimelineEntry(entry("escalated", { transition: "escalated", channelIds: ["a", "b"] })).detail,
    ).toBe("escalated · 2 channels");
  });

  it("formats durations with two units", () => {
    expect(formatIncidentDuration(0)).toBe("0 s");
    expect(formatIncidentDuration(59_999)).toBe("59 s");
    expect(formatIncidentDuration(61_000)).toBe("1 min 1 s");
    expect(formatIncidentDuration((3 * 3600 + 12 * 60) * 1000)).toBe("3 h 12 min");
    expect(formatIncidentDuration(50 * 3600 * 1000)).toBe("2 d 2 h");
  });
});
