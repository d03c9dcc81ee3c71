import { createRequire } from "node:module";
import { DateTime, IANAZone } from "luxon";

// rrule ships CommonJS whose named exports Node's ESM loader cannot detect; require it (types from the package).
const { Frequency, RRule } = createRequire(import.meta.url)("rrule") as typeof import("rrule");
type RRule = import("rrule").RRule;

/**
 * Maintenance window occurrences (docs/decisions/0512). `rrule` expands in *floating* time: every date it handles
 * is a wall-clock time of the window's zone written as if it were UTC. Each floating occurrence is then turned
 * into a real instant in the IANA zone by luxon, so "Sundays 02:00-04:00 Europe/Berlin" stays at 02:00 local on
 * both sides of a DST change (and its UTC instant moves by the hour). A local start that does not exist (the
 * spring-forward gap) moves forward by the gap; an ambiguous one (the autumn overlap) is the first of the two.
 */
export interface WindowSpec {
  /** Local wall-clock start of the first (or only) occurrence: `YYYY-MM-DDTHH:mm[:ss]`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  /** RFC 5545 RRULE value (`FREQ=WEEKLY;BYDAY=SU`), without DTSTART; null = one-off. */
  rrule: string | null;
}

export interface Occurrence {
  startsAt: Date;
  endsAt: Date;
}

const ALLOWED_FREQ = new Set([Frequency.DAILY, Frequency.WEEKLY, Frequency.MONTHLY, Frequency.YEARLY]);
const DAY = 86_400_000;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

export const isValidZone = (zone: string): boolean => IANAZone.isValidZone(zone);

function parseLocal(
  start: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number } | null {
  const m = LOCAL.exec(start);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const dt = DateTime.fromObject(
    { year: y, month: mo, day: d, hour: h, minute: mi, second: s },
    { zone: "UTC" },
  );
  return dt.isValid ? { y, mo, d, h, mi, s } : null;
}

/** The floating Date of a local wall-clock start. */
function floatingStart(start: string): Date {
  const p = parseLocal(start);
  if (!p) throw new Error(`invalid local start ${start}`);
  return new Date(Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s));
}

/** Floating -> the real instant of that wall-clock time in `zone`. */
function toInstant(f: Date, zone: string): Date {
  return DateTime.fromObject(
    {
      year: f.getUTCFullYear(),
      month: f.getUTCMonth() + 1,
      day: f.getUTCDate(),
      hour: f.getUTCHours(),
      minute: f.getUTCMinutes(),
      second: f.getUTCSeconds(),
    },
    { zone },
  ).toJSDate();
}

/** A real instant -> the floating Date of its wall-clock time in `zone`. */
function toFloating(t: Date, zone: string): Date {
  const l = DateTime.fromJSDate(t, { zone });
  return new Date(Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute, l.second));
}

/** Field problems of a window spec (empty when valid): `start`, `timeZone`, `rrule`. */
export function checkSpec(spec: WindowSpec): Array<{ field: string; rule: string; message: string }> {
  const issues: Array<{ field: string; rule: string; message: string }> = [];
  if (!parseLocal(spec.start)) {
    issues.push({
      field: "start",
      rule: "local_datetime",
      message: "start must be a local date-time YYYY-MM-DDTHH:mm",
    });
  }
  if (!isValidZone(spec.timeZone)) {
    issues.push({ field: "timeZone", rule: "iana_zone", message: `unknown IANA time zone ${spec.timeZone}` });
  }
  if (spec.rrule !== null) {
    try {
      const opts = RRule.parseString(spec.rrule);
      const values = Object.values(opts).flatMap((v): unknown[] => (Array.isArray(v) ? v : [v]));
      if (values.some((v) => v === undefined || (typeof v === "number" && Number.isNaN(v)))) {
        issues.push({
          field: "rrule",
          rule: "rrule",
          message: "not an RFC 5545 RRULE: a part has an unknown value",
        });
      } else if (opts.freq === undefined || !ALLOWED_FREQ.has(opts.freq)) {
        issues.push({
          field: "rrule",
          rule: "freq",
          message: "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY",
        });
      } else if (opts.dtstart) {
        issues.push({
          field: "rrule",
          rule: "dtstart",
          message: "give the first start in `start`, not DTSTART",
        });
      }
    } catch (err) {
      issues.push({
        field: "rrule",
        rule: "rrule",
        message: `not an RFC 5545 RRULE: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  return issues;
}

function ruleOf(spec: WindowSpec & { rrule: string }): RRule {
  return new RRule({ ...RRule.parseString(spec.rrule), dtstart: floatingStart(spec.start), tzid: null });
}

/** Occurrences overlapping [from, to), in start order (at most `limit`). */
export function occurrencesBetween(spec: WindowSpec, from: Date, to: Date, limit = 500): Occurrence[] {
  const dur = spec.durationMinutes * 60_000;
  const make = (startsAt: Date): Occurrence => ({ startsAt, endsAt: new Date(startsAt.getTime() + dur) });
  const overlaps = (o: Occurrence) => o.startsAt < to && o.endsAt > from;
  if (spec.rrule === null) {
    const o = make(toInstant(floatingStart(spec.start), spec.timeZone));
    return overlaps(o) ? [o] : [];
  }
  // A day of slack on both sides covers any zone offset and DST shift; the exact test is on real instants.
  const fromF = toFloating(new Date(from.getTime() - dur - DAY), spec.timeZone);
  const toF = toFloating(new Date(to.getTime() + DAY), spec.timeZone);
  const out: Occurrence[] = [];
  ruleOf({ ...spec, rrule: spec.rrule }).between(fromF, toF, true, (f) => {
    const o = make(toInstant(f, spec.timeZone));
    if (overlaps(o)) out.push(o);
    return out.length < limit;
  });
  return out;
}

/** The occurrence covering `at`, if any. */
export function occurrenceAt(spec: WindowSpec, at: Date): Occurrence | null {
  return occurrencesBetween(spec, at, new Date(at.getTime() + 1), 1)[0] ?? null;
}

/** The next `n` occurrences that have not ended by `from` (the current one first). */
export function upcoming(spec: WindowSpec, from: Date, n: number): Occurrence[] {
  if (spec.rrule === null) return occurrencesBetween(spec, from, new Date(8.64e15), 1);
  const out: Occurrence[] = [];
  // Look ahead a year at a time, at most ten years.
  for (let i = 0; i < 10 && out.length < n; i++) {
    const a = new Date(from.getTime() + i * 366 * DAY);
    const b = new Date(from.getTime() + (i + 1) * 366 * DAY);
    for (const o of occurrencesBetween(spec, a, b, n)) {
      if (out.length < n && !out.some((x) => x.startsAt.getTime() === o.startsAt.getTime())) out.push(o);
    }
  }
  return out;
}
