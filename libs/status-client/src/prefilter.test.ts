import { describe, expect, it } from "vitest";
import { prefilter } from "./prefilter.ts";
import { events, spec } from "./testing.ts";

describe("prefilter", () => {
  const mine = (t: string) => t === "t1";
  const a = spec("t1", "LIS");

  it("parses only status-relevant events of the scope; probe results and other tenants stay unparsed", () => {
    expect(prefilter(events.statusChanged(a, 2, "ACTIVE", "ERROR"), mine)).toMatchObject({ kind: "apply" });
    expect(prefilter(events.probe(a, 9, false), mine)).toEqual({ kind: "ignored" });
    // Another tenant's event is ignored even when its body would not parse: it is never looked at.
    const foreign = { ...events.statusChanged(spec("t2", "X"), 2, "ACTIVE", "ERROR"), data: "garbage" };
    expect(prefilter(foreign, mine)).toEqual({ kind: "ignored" });
  });

  it("counts candidates that break the contract, and non-events, as malformed", () => {
    const broken = { ...events.statusChanged(a, 2, "ACTIVE", "ERROR"), sequence: -1 };
    expect(prefilter(broken, mine)).toEqual({ kind: "malformed" });
    expect(prefilter({ not: "an event" }, mine)).toEqual({ kind: "malformed" });
    expect(prefilter("text", mine)).toEqual({ kind: "malformed" });
  });
});
