import { describe, expect, it } from "vitest";
import { StreamHub, type StreamMessage } from "./hub.ts";

const msg = (id: string): StreamMessage => ({
  id,
  event: {
    type: "status",
    eventId: id,
    integrationId: "00000000-0000-4000-8000-000000000001",
    from: "ACTIVE",
    to: "ERROR",
    reason: "3 consecutive failures",
    lastError: null,
    at: "2026-12-01T00:00:00.000Z",
  },
});

describe("StreamHub", () => {
  it("keeps the last bufferSize messages per tenant, drops repeats, and resumes after a known id", () => {
    const hub = new StreamHub(3);
    const seen: string[] = [];
    hub.subscribe("t1", (m) => seen.push(m.id));
    for (const id of ["a", "b", "a", "c", "d", "b"]) hub.publish("t1", msg(id));
    hub.publish("t2", msg("x"));
    // Repeats of buffered ids ("a", then "b") are dropped; "d" pushed "a" out of the buffer of 3.
    expect(seen).toEqual(["a", "b", "c", "d"]);
    expect(hub.since("t1", "b")?.map((m) => m.id)).toEqual(["c", "d"]);
    expect(hub.since("t1", "d")).toEqual([]);
    expect(hub.since("t1", "a")).toBeNull(); // trimmed: the client gets a reset
    hub.publish("t1", msg("a")); // no longer buffered: delivered again, "b" trimmed
    expect(seen.at(-1)).toBe("a");
    expect(hub.since("t1", "c")?.map((m) => m.id)).toEqual(["d", "a"]);
    expect(hub.since("t1", "b")).toBeNull();
    expect(hub.since("t2", "b")).toBeNull(); // another tenant's id
    expect(hub.since("t3", "x")).toBeNull();
  });

  it("unsubscribe stops delivery", () => {
    const hub = new StreamHub(10);
    const seen: string[] = [];
    const off = hub.subscribe("t1", (m) => seen.push(m.id));
    hub.publish("t1", msg("a"));
    off();
    hub.publish("t1", msg("b"));
    expect(seen).toEqual(["a"]);
    expect(hub.since("t1", "a")?.map((m) => m.id)).toEqual(["b"]);
  });
});
