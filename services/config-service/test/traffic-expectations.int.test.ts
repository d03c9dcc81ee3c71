import type { IntegrationView } from "@hip/contracts";
import { waitFor } from "@hip/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureTopics } from "./kafka-support.ts";
import { API, type ErrorBody, labBody, startService, type TestService, token } from "./support.ts";

let svc: TestService;
let capture: Awaited<ReturnType<typeof captureTopics>>;
const admin = token("tx");

beforeAll(async () => {
  svc = await startService({}, { kafka: true });
  capture = await captureTopics(svc.runtime.deps.topics, async () => undefined);
});
afterAll(async () => {
  await capture?.close();
  await svc?.close();
});

const fixed = { mode: "fixed", minMessagesPerHour: 60, maxErrorRatePercent: 5, silenceMinutes: 15 };

describe("trafficExpectations on the integration record", () => {
  it.each([
    ["bad mode", { mode: "learned" }, "trafficExpectations.mode", "enum"],
    ["fixed without thresholds", { mode: "fixed" }, "trafficExpectations.mode", "custom"],
    [
      "negative rate",
      { mode: "fixed", maxErrorRatePercent: -1 },
      "trafficExpectations.maxErrorRatePercent",
      "min",
    ],
    [
      "fractional minutes",
      { mode: "fixed", silenceMinutes: 1.5 },
      "trafficExpectations.silenceMinutes",
      "invalid_type",
    ],
    ["unknown key", { mode: "baseline", colour: 1 }, "trafficExpectations.colour", "unknown_field"],
  ])("%s -> 400 naming %s, nothing stored", async (_label, expectations, field, rule) => {
    const name = `bad-${field}-${rule}-${Math.random()}`;
    const res = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ name, trafficExpectations: expectations }),
    });
    expect(res.status, res.raw).toBe(400);
    expect((res.body as ErrorBody).error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field, rule })]),
    );
    const list = await svc.request("GET", `${API}/configs?q=${encodeURIComponent(name)}`, { token: admin });
    expect((list.body as { data: unknown[] }).data).toHaveLength(0);
  });

  it("stores, returns, patches and clears them; snapshot events carry them", async () => {
    const created = await svc.request("POST", `${API}/configs`, {
      token: admin,
      body: labBody({ trafficExpectations: fixed }),
    });
    expect(created.status, created.raw).toBe(201);
    const view = created.body as IntegrationView;
    expect(view.trafficExpectations).toEqual(fixed);

    const patched = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { trafficExpectations: { mode: "baseline", maxQueuedAgeSeconds: 600 } },
    });
    expect(patched.status, patched.raw).toBe(200);
    expect((patched.body as IntegrationView).trafficExpectations).toEqual({
      mode: "baseline",
      maxQueuedAgeSeconds: 600,
    });
    const bad = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { trafficExpectations: { mode: "baseline", maxQueued: 0 } },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as ErrorBody).error.details?.[0]?.field).toBe("trafficExpectations.maxQueued");

    const cleared = await svc.request("PATCH", `${API}/configs/${view.id}`, {
      token: admin,
      body: { trafficExpectations: null },
    });
    expect((cleared.body as IntegrationView).trafficExpectations).toBeNull();

    const events = await waitFor(
      () => {
        const mine = capture.seen.filter((c) => c.event.subject === view.id);
        return mine.length >= 3 ? mine : null;
      },
      { what: "3 config events" },
    );
    const snapshots = events.map((c) =>
      c.event.type === "integration.created" || c.event.type === "integration.updated"
        ? c.event.data.integration.trafficExpectations
        : "other",
    );
    expect(snapshots).toEqual([fixed, { mode: "baseline", maxQueuedAgeSeconds: 600 }, null]);
    const updated = events[1]?.event;
    expect(updated?.type === "integration.updated" && updated.data.changedFields).toEqual([
      "trafficExpectations",
    ]);
  });
});
