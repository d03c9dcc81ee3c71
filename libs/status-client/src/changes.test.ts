import { describe, expect, it } from "vitest";
import { ChangeQueue, type StatusChange } from "./changes.ts";
import { ChangeBufferOverflowError } from "./errors.ts";

const change = (n: number): StatusChange => ({
  integrationId: `i${n}`,
  tenantId: "t1",
  before: undefined,
  after: undefined,
  availabilityChanged: false,
  event: { id: `e${n}`, type: "integration.created", time: new Date(0).toISOString() },
});

describe("ChangeQueue", () => {
  it("hands changes to a waiting reader and buffers the rest in order", async () => {
    const q = new ChangeQueue(10, () => undefined);
    const waiting = q.next();
    q.push(change(1));
    q.push(change(2));
    q.push(change(3));
    expect((await waiting).value?.integrationId).toBe("i1");
    expect((await q.next()).value?.integrationId).toBe("i2");
    expect((await q.next()).value?.integrationId).toBe("i3");
  });

  it("closes with a typed error on overflow instead of dropping changes, and ends on close", async () => {
    let closed = 0;
    const q = new ChangeQueue(2, () => closed++);
    q.push(change(1));
    q.push(change(2));
    q.push(change(3));
    await expect(q.next()).rejects.toBeInstanceOf(ChangeBufferOverflowError);
    expect((await q.next()).done).toBe(true);
    expect(closed).toBe(1);
    const r = new ChangeQueue(2, () => undefined);
    const pending = r.next();
    r.close();
    expect((await pending).done).toBe(true);
  });
});
