import type { IncidentView } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { dependencyTree, groupUnderParents } from "./dependencies.ts";

const A = "00000000-0000-4000-8000-00000000000a";
const B = "00000000-0000-4000-8000-00000000000b";
const C = "00000000-0000-4000-8000-00000000000c";
const D = "00000000-0000-4000-8000-00000000000d";

describe("dependencyTree", () => {
  it("lists parents in order (unknown ones by id) and children by name", () => {
    const all = [
      { id: A, name: "VPN", status: "ERROR" as const, dependsOn: [] },
      { id: B, name: "Lab feed", status: "ACTIVE" as const, dependsOn: [A] },
      { id: C, name: "Engine", status: "ACTIVE" as const, dependsOn: [A] },
    ];
    expect(dependencyTree({ id: B, dependsOn: [A, D] }, all).parents).toEqual([
      { id: A, name: "VPN", status: "ERROR" },
      { id: D, name: "Integration 00000000", status: null },
    ]);
    expect(dependencyTree(all[0] as (typeof all)[0], all).children.map((c) => c.name)).toEqual([
      "Engine",
      "Lab feed",
    ]);
  });
});

const inc = (id: string, suppressedBy: string | null = null): IncidentView =>
  ({ id, suppressedBy, childCount: 0 }) as unknown as IncidentView;

describe("groupUnderParents", () => {
  it("puts suppressed incidents right under their parent; a parent off the page leaves them in place", () => {
    const rows = [inc("c1", "p"), inc("x"), inc("p"), inc("c2", "p"), inc("o", "elsewhere")];
    expect(
      groupUnderParents(rows).map((r) => [r.incident.id, r.underParent?.id ?? null, r.suppressedBy]),
    ).toEqual([
      ["x", null, null],
      ["p", null, null],
      ["c1", "p", "p"],
      ["c2", "p", "p"],
      ["o", null, "elsewhere"],
    ]);
  });
});
