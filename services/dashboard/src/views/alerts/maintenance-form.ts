import type {
  CreateMaintenanceBody,
  IntegrationType,
  MaintenanceScope,
  MaintenanceView,
} from "@hip/contracts";

export interface MaintenanceFormValues {
  name: string;
  /** Local wall-clock start, `YYYY-MM-DDTHH:mm` (an `<input type="datetime-local">` value). */
  start: string;
  timeZone: string;
  durationMinutes: number | "";
  /** Repeat: none, or a common RRULE; `custom` uses `rrule` as typed. */
  repeat: "none" | "daily" | "weekly" | "monthly" | "custom";
  rrule: string;
  scope: MaintenanceScope["scope"];
  types: IntegrationType[];
  ids: string[];
}

/** The browser's zone as the default (the tenant's people usually sit in it). */
export function emptyMaintenanceForm(
  zone = Intl.DateTimeFormat().resolvedOptions().timeZone,
): MaintenanceFormValues {
  return {
    name: "",
    start: "",
    timeZone: zone || "UTC",
    durationMinutes: 60,
    repeat: "none",
    rrule: "",
    scope: "tenant",
    types: [],
    ids: [],
  };
}

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

/** The RRULE for a preset: weekly repeats on the start's weekday, monthly on its day of the month. */
export function rruleFor(v: MaintenanceFormValues): string | null {
  if (v.repeat === "none") return null;
  if (v.repeat === "custom") return v.rrule.trim() || null;
  if (v.repeat === "daily") return "FREQ=DAILY";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v.start);
  if (!m) return v.repeat === "weekly" ? "FREQ=WEEKLY" : "FREQ=MONTHLY";
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (v.repeat === "weekly") return `FREQ=WEEKLY;BYDAY=${WEEKDAYS[(date.getUTCDay() + 6) % 7]}`;
  return `FREQ=MONTHLY;BYMONTHDAY=${date.getUTCDate()}`;
}

export function toMaintenanceBody(v: MaintenanceFormValues): CreateMaintenanceBody {
  const scope: MaintenanceScope =
    v.scope === "types"
      ? { scope: "types", types: v.types }
      : v.scope === "integrations"
        ? { scope: "integrations", ids: v.ids }
        : { scope: "tenant" };
  return {
    name: v.name.trim(),
    description: null,
    start: v.start,
    timeZone: v.timeZone.trim(),
    durationMinutes: v.durationMinutes === "" ? 0 : v.durationMinutes,
    rrule: rruleFor(v),
    scope,
  };
}

/** "Weekly on Sundays" style summary; the API's RRULE text when it is not one of the presets. */
export function describeSchedule(
  w: Pick<MaintenanceView, "start" | "timeZone" | "durationMinutes" | "rrule">,
): string {
  const dur = w.durationMinutes % 60 === 0 ? `${w.durationMinutes / 60} h` : `${w.durationMinutes} min`;
  const repeat = w.rrule ? `repeats ${w.rrule}` : "once";
  return `${w.start.replace("T", " ")} ${w.timeZone}, ${dur}, ${repeat}`;
}
