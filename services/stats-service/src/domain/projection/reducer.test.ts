import { randomUUID } from "node:crypto";
import type { AnyEvent } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import { ev, type Spec } from "../../../test/support.ts";
import {
  type AppliedSequences,
  applyConfigState,
  applyProbe,
  blankRow,
  type IntegrationRow,
  isConfigState,
  isCounted,
} from "./reducer.ts";

function fold(events: AnyEvent[]): IntegrationRow {
  const first = events[0];
  if (!first) throw new Error("no events");
  const row = blankRow(first.subject, first.tenantid, "API");
  const seq: AppliedSequences = { sequence: 0, snapshotSequence: null, statusSequence: null };
  for (const e of events) {
    if (isConfigState(e)) applyConfigState(row, seq, e);
    else if (e.type === "integration.probe_completed") applyProbe(row, e);
  }
  return row;
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe("projection reducer", () => {
  const s: Spec = { id: randomUUID(), tenantId: "t1", name: "Lab", type: "LAB_SYSTEM", status: "ACTIVE" };
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  const at = (m: number) => new Date(t0 + m * 60_000);
  const history = [
    ev.created(s, 1, at(0)),
    ev.updated({ ...s, name: "Lab 2" }, 2, ["name"], at(1)),
    ev.statusChanged(s, 3, "ACTIVE", "ERROR", at(2)),
    ev.probe(s, 1, { success: false, latencyMs: 30, checkedAt: at(2) }),
    ev.probe(s, 2, { success: true, latencyMs: 12, checkedAt: at(4) }),
  ];

  it("converges to the same row whatever the delivery order", () => {
    const expected = fold(history);
    expect(expected).toMatchObject({
      name: "Lab 2",
      status: "ERROR",
      statusSince: at(2).toISOString(),
      lastCheckAt: at(4).toISOString(),
      lastCheckSuccess: true,
      lastLatencyMs: 12,
      lastErrorAt: at(2).toISOString(),
      known: true,
    });
    for (const p of permutations(history)) expect(fold(p)).toEqual(expected);
  });

  it("never resurrects a deleted integration with an older update", () => {
    const row = fold([ev.created(s, 1, at(0)), ev.deleted(s, 3, at(3)), ev.updated(s, 2, ["name"], at(2))]);
    expect(row.deletedAt).toBe(at(3).toISOString());
    expect(isCounted(row)).toBe(false);
  });

  it("ignores a config event at or below the applied sequence", () => {
    const row = fold([ev.created(s, 5, at(0)), ev.updated({ ...s, name: "old" }, 5, ["name"], at(1))]);
    expect(row.name).toBe("Lab");
  });
});
