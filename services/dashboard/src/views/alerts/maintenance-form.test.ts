import { CreateMaintenanceBody } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { describeSchedule, emptyMaintenanceForm, rruleFor, toMaintenanceBody } from "./maintenance-form.ts";

describe("maintenance form model", () => {
  const base = { ...emptyMaintenanceForm("Europe/Berlin"), name: " Patching ", start: "2026-03-29T01:00" };

  it("builds a body the API accepts, weekly on the start's weekday", () => {
    const body = toMaintenanceBody({ ...base, repeat: "weekly", scope: "types", types: ["LAB_SYSTEM"] });
    expect(body).toEqual({
      name: "Patching",
      description: null,
      start: "2026-03-29T01:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 60,
      rrule: "FREQ=WEEKLY;BYDAY=SU",
      scope: { scope: "types", types: ["LAB_SYSTEM"] },
    });
    expect(CreateMaintenanceBody.safeParse(body).success).toBe(true);
  });

  it("maps the presets and a custom rule", () => {
    expect(rruleFor({ ...base, repeat: "none" })).toBeNull();
    expect(rruleFor({ ...base, repeat: "daily" })).toBe("FREQ=DAILY");
    expect(rruleFor({ ...base, repeat: "monthly" })).toBe("FREQ=MONTHLY;BYMONTHDAY=29");
    expect(rruleFor({ ...base, repeat: "custom", rrule: " FREQ=YEARLY " })).toBe("FREQ=YEARLY");
    expect(describeSchedule({ ...toMaintenanceBody(base), rrule: null })).toBe(
      "2026-03-29 01:00 Europe/Berlin, 1 h, once",
    );
  });
});
