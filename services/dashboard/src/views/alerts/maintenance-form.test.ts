import { CreateMaintenanceBody } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { coveringWindows } from "./MaintenanceBanner.tsx";
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

  it("finds the active windows covering an integration", () => {
    const w = {
      id: "w1",
      name: "Lab upgrade",
      description: null,
      start: "2026-06-01T12:00",
      timeZone: "Europe/Berlin",
      durationMinutes: 60,
      rrule: null,
      scope: { scope: "types" as const, types: ["LAB_SYSTEM" as const] },
      current: { startsAt: "2026-06-01T10:00:00.000Z", endsAt: "2026-06-01T11:00:00.000Z" },
      upcoming: [],
      version: 1,
      createdAt: "2026-05-01T00:00:00.000Z",
      updatedAt: "2026-05-01T00:00:00.000Z",
      createdBy: "admin",
      updatedBy: "admin",
    };
    expect(coveringWindows([w], { id: "i1", type: "LAB_SYSTEM" })).toHaveLength(1);
    expect(coveringWindows([w], { id: "i1", type: "API" })).toHaveLength(0);
    expect(coveringWindows([{ ...w, current: null }], { id: "i1", type: "LAB_SYSTEM" })).toHaveLength(0);
  });
});
