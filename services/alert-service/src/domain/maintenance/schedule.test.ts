import { describe, expect, it } from "vitest";
import { checkSpec, occurrenceAt, occurrencesBetween, upcoming, type WindowSpec } from "./schedule.ts";

const iso = (d: Date) => d.toISOString();

describe("maintenance occurrences in the window's IANA zone", () => {
  const weekly: WindowSpec = {
    start: "2026-03-15T01:00",
    timeZone: "Europe/Berlin",
    durationMinutes: 180,
    rrule: "FREQ=WEEKLY;BYDAY=SU",
  };

  it("a weekly Berlin window keeps its local hour across the spring DST change (UTC moves by an hour)", () => {
    const got = occurrencesBetween(
      weekly,
      new Date("2026-03-14T00:00:00Z"),
      new Date("2026-04-06T00:00:00Z"),
    );
    expect(got.map((o) => iso(o.startsAt))).toEqual([
      "2026-03-15T00:00:00.000Z", // 01:00 CET (+01)
      "2026-03-22T00:00:00.000Z",
      "2026-03-29T00:00:00.000Z", // the DST Sunday: 01:00 is still CET, the clocks jump at 02:00
      "2026-04-04T23:00:00.000Z", // 01:00 CEST (+02)
    ]);
    expect(got.every((o) => o.endsAt.getTime() - o.startsAt.getTime() === 180 * 60_000)).toBe(true);
  });

  it("and across the autumn change", () => {
    const got = occurrencesBetween(
      weekly,
      new Date("2026-10-17T00:00:00Z"),
      new Date("2026-11-02T00:00:00Z"),
    );
    expect(got.map((o) => iso(o.startsAt))).toEqual([
      "2026-10-17T23:00:00.000Z",
      "2026-10-24T23:00:00.000Z", // 01:00 CEST on the last Sunday, before the 03:00 -> 02:00 change
      "2026-11-01T00:00:00.000Z", // 01:00 CET
    ]);
  });

  it("a start inside the spring-forward gap moves forward by the gap", () => {
    const daily: WindowSpec = {
      start: "2026-03-27T02:30",
      timeZone: "Europe/Berlin",
      durationMinutes: 30,
      rrule: "FREQ=DAILY;COUNT=4",
    };
    const got = occurrencesBetween(daily, new Date("2026-03-26T00:00:00Z"), new Date("2026-04-01T00:00:00Z"));
    expect(got.map((o) => iso(o.startsAt))).toEqual([
      "2026-03-27T01:30:00.000Z",
      "2026-03-28T01:30:00.000Z",
      "2026-03-29T01:30:00.000Z", // 02:30 does not exist that night: 03:30 CEST
      "2026-03-30T00:30:00.000Z",
    ]);
  });

  it("finds the occurrence covering an instant, one-off windows too", () => {
    // 29 March: 01:00 CET (00:00Z) for three hours of elapsed time, until 03:00Z (05:00 CEST).
    expect(occurrenceAt(weekly, new Date("2026-03-29T02:59:00Z"))?.startsAt).toEqual(
      new Date("2026-03-29T00:00:00Z"),
    );
    expect(occurrenceAt(weekly, new Date("2026-03-29T03:00:00Z"))).toBeNull();
    const once: WindowSpec = {
      start: "2026-07-01T22:00",
      timeZone: "America/New_York",
      durationMinutes: 60,
      rrule: null,
    };
    expect(occurrenceAt(once, new Date("2026-07-02T02:30:00Z"))?.startsAt).toEqual(
      new Date("2026-07-02T02:00:00Z"),
    );
    expect(occurrenceAt(once, new Date("2026-07-02T03:00:00Z"))).toBeNull();
    expect(upcoming(weekly, new Date("2026-03-22T01:00:00Z"), 2).map((o) => iso(o.startsAt))).toEqual([
      "2026-03-22T00:00:00.000Z",
      "2026-03-29T00:00:00.000Z",
    ]);
  });

  it("names the field of a bad spec", () => {
    const fields = (s: Partial<WindowSpec>) =>
      checkSpec({ ...weekly, ...s }).map((i) => `${i.field}/${i.rule}`);
    expect(fields({ timeZone: "Mars/Olympus" })).toEqual(["timeZone/iana_zone"]);
    expect(fields({ start: "2026-02-30T01:00" })).toEqual(["start/local_datetime"]);
    expect(fields({ rrule: "FREQ=HOURLY" })).toEqual(["rrule/freq"]);
    expect(fields({ rrule: "FREQ=WEEKLY;BYDAY=XX" })).toEqual(["rrule/rrule"]);
    expect(fields({})).toEqual([]);
  });
});
