import { describe, expect, it } from "vitest";
import { incidentStateFromSearch, incidentStateToSearch } from "./incident-state.ts";

const ID = "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03";

describe("incident list URL state", () => {
  it("round-trips the filters", () => {
    const s = { state: "acknowledged" as const, integrationId: ID };
    expect(incidentStateToSearch(s)).toBe(`?state=acknowledged&integrationId=${ID}`);
    expect(incidentStateFromSearch(incidentStateToSearch(s))).toEqual(s);
    expect(incidentStateToSearch({ state: null, integrationId: null })).toBe("");
  });

  it("drops values the API would reject", () => {
    expect(incidentStateFromSearch("?state=closed&integrationId=not-a-uuid")).toEqual({
      state: null,
      integrationId: null,
    });
  });
});
