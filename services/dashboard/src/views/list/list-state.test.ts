import { describe, expect, it } from "vitest";
import { DEFAULT_LIST_STATE, listStateFromSearch, listStateToSearch } from "./list-state.ts";

describe("list state in the URL", () => {
  it("round-trips filters, search, sort and page size", () => {
    const s = {
      type: "FHIR" as const,
      status: "ERROR" as const,
      q: "epic",
      sort: "name" as const,
      order: "asc" as const,
      limit: 50,
    };
    expect(listStateFromSearch(listStateToSearch(s))).toEqual(s);
  });

  it("ignores unknown values and keeps defaults out of the URL", () => {
    expect(listStateFromSearch("?type=NOPE&status=x&sort=drop&limit=7")).toEqual(DEFAULT_LIST_STATE);
    expect(listStateToSearch(DEFAULT_LIST_STATE)).toBe("");
  });
});
