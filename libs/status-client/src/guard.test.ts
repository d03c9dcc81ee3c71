import { describe, expect, it } from "vitest";
import { IntegrationUnavailableError, IntegrationUnknownError } from "./errors.ts";
import { Guard } from "./guard.ts";
import type { IntegrationHealth } from "./health.ts";

const health = (over: Partial<IntegrationHealth> = {}): IntegrationHealth => ({
  integrationId: "i1",
  tenantId: "t1",
  name: "LIS",
  type: "LAB_SYSTEM",
  status: "ERROR",
  statusSince: null,
  sequence: 3,
  incident: null,
  available: false,
  ...over,
});

describe("Guard", () => {
  it("runs fn when available, refuses without calling it when not, unknown ids are their own error", async () => {
    const g = new Guard(1000);
    let calls = 0;
    const fn = () => ++calls;
    expect(await g.run("i1", health({ status: "ACTIVE", available: true }), fn, false)).toBe(1);
    await expect(g.run("i1", health(), fn, false)).rejects.toBeInstanceOf(IntegrationUnavailableError);
    await expect(
      g.run("i1", health({ status: "ACTIVE", incident: incidentOpen() }), fn, false),
    ).rejects.toMatchObject({ reason: "open_incident" });
    await expect(g.run("i9", undefined, fn, true)).rejects.toBeInstanceOf(IntegrationUnknownError);
    expect(calls).toBe(1);
  });

  it("lets one trial per interval through; a later change resets what the trial concluded", async () => {
    let now = 0;
    const g = new Guard(1000, () => now);
    await expect(
      g.run(
        "i1",
        health(),
        async () => {
          throw new Error("still down");
        },
        true,
      ),
    ).rejects.toThrow("still down");
    now = 999;
    await expect(g.run("i1", health(), () => "x", true)).rejects.toBeInstanceOf(IntegrationUnavailableError);
    now = 1000;
    expect(await g.run("i1", health(), () => "trial", true)).toBe("trial");
    expect(await g.run("i1", health(), () => "passing", false)).toBe("passing");
    g.reset("i1"); // e.g. a new status_changed(ERROR): the success no longer counts
    await expect(g.run("i1", health(), () => "x", false)).rejects.toBeInstanceOf(IntegrationUnavailableError);
  });
});

function incidentOpen() {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    state: "open" as const,
    openedAt: new Date(0).toISOString(),
    acknowledgedAt: null,
    errorCode: null,
  };
}
