import { CreatePolicyBody, type PolicyView, UpdatePolicyBody } from "@hip/contracts";
import { describe, expect, it } from "vitest";
import {
  describeScope,
  emptyPolicyForm,
  notificationCoverage,
  policiesCovering,
  policyFormFromView,
  toPolicyBody,
  validatePolicyForm,
} from "./policy-form.ts";

const CH1 = "0b8f5a52-7a0e-4c55-8f43-7c0d4b8b9e01";
const CH2 = "1c9f5a52-7a0e-4c55-8f43-7c0d4b8b9e02";
const INT1 = "2d0f5a52-7a0e-4c55-8f43-7c0d4b8b9e03";

const policy = (over: Partial<PolicyView> = {}): PolicyView => ({
  id: "3e1f5a52-7a0e-4c55-8f43-7c0d4b8b9e04",
  name: "Lab on-call",
  enabled: true,
  integrations: { scope: "types", types: ["LAB_SYSTEM", "HL7"] },
  channelIds: [CH1],
  notifyOnResolve: false,
  renotifyMinutes: 15,
  escalation: { afterMinutes: 30, channelIds: [CH2] },
  flapping: { changes: 4, windowMinutes: 30, stableMinutes: 15 },
  expiryDays: [30, 14, 7, 1],
  dependencyGraceMinutes: 2,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  createdBy: "admin",
  updatedBy: "admin",
  ...over,
});

describe("policy form model", () => {
  it("round-trips a policy through the form unchanged", () => {
    const p = policy();
    const body = toPolicyBody(policyFormFromView(p));
    expect(body).toEqual({
      name: p.name,
      enabled: p.enabled,
      integrations: p.integrations,
      channelIds: p.channelIds,
      notifyOnResolve: p.notifyOnResolve,
      renotifyMinutes: p.renotifyMinutes,
      escalation: p.escalation,
      flapping: p.flapping,
      expiryDays: p.expiryDays,
      dependencyGraceMinutes: p.dependencyGraceMinutes,
    });
    expect(UpdatePolicyBody.parse(body)).toEqual(body);
  });

  it("sends the flapping rule, or null when detection is off", () => {
    const v = { ...emptyPolicyForm(), name: "x", channelIds: [CH1] };
    expect(toPolicyBody(v).flapping).toEqual({ changes: 4, windowMinutes: 30, stableMinutes: 15 });
    expect(toPolicyBody({ ...v, flapChanges: 6 }).flapping?.changes).toBe(6);
    expect(toPolicyBody({ ...v, detectFlapping: false }).flapping).toBeNull();
    expect(policyFormFromView(policy({ flapping: null })).detectFlapping).toBe(false);
    expect(validatePolicyForm({ ...v, flapStableMinutes: "" }).flapping).toBeDefined();
    expect(toPolicyBody({ ...v, expiryDays: "60, 7" }).expiryDays).toEqual([60, 7]);
    expect(validatePolicyForm({ ...v, expiryDays: "7, soon" }).expiryDays).toBeDefined();
  });

  it("builds the three scopes, no reminders and no escalation as null", () => {
    const base = { ...emptyPolicyForm(), name: " All ", channelIds: [CH1] };
    const all = toPolicyBody(base);
    expect(all).toMatchObject({
      name: "All",
      integrations: { scope: "all" },
      renotifyMinutes: null,
      escalation: null,
    });
    expect(all.notifyOnResolve).toBe(true); // the API's default, shown as such
    expect(CreatePolicyBody.parse(all)).toEqual(all);
    expect(toPolicyBody({ ...base, scope: "ids", ids: [INT1], types: ["HL7"] }).integrations).toEqual({
      scope: "ids",
      ids: [INT1],
    });
    // Escalation settings are kept in the form but not sent while escalation is off.
    expect(toPolicyBody({ ...base, escalate: false, escalationChannelIds: [CH2] }).escalation).toBeNull();
    expect(
      toPolicyBody({ ...base, escalate: true, escalationAfterMinutes: 10, escalationChannelIds: [CH2] })
        .escalation,
    ).toEqual({
      afterMinutes: 10,
      channelIds: [CH2],
    });
  });

  it("names what is missing before sending", () => {
    expect(validatePolicyForm(emptyPolicyForm())).toEqual({
      name: "Name is required",
      channelIds: "Pick at least one channel",
    });
    const ok = { ...emptyPolicyForm(), name: "x", channelIds: [CH1] };
    expect(validatePolicyForm(ok)).toEqual({});
    expect(validatePolicyForm({ ...ok, scope: "types" })).toEqual({ integrations: "Pick at least one type" });
    expect(validatePolicyForm({ ...ok, scope: "ids" })).toEqual({
      integrations: "Pick at least one integration",
    });
    expect(validatePolicyForm({ ...ok, escalate: true })).toEqual({
      escalation: "Pick the channels to escalate to",
    });
  });

  it("knows when nobody will be notified", () => {
    expect(notificationCoverage([])).toBe("none");
    expect(notificationCoverage([policy({ enabled: false })])).toBe("disabled");
    expect(notificationCoverage([policy({ enabled: false }), policy()])).toBe("some");
  });

  it("describes scopes in words", () => {
    expect(describeScope({ scope: "all" }, String)).toBe("All integrations");
    expect(describeScope({ scope: "types", types: ["HL7", "FHIR"] }, (t) => t.toLowerCase())).toBe(
      "Types: hl7, fhir",
    );
    expect(describeScope({ scope: "ids", ids: [INT1] }, String)).toBe("1 selected integration");
  });

  it("finds the enabled policies covering an integration, as the alert service matches them", () => {
    const lab = { id: INT1, type: "LAB_SYSTEM" as const };
    const byType = policy({ name: "types" });
    const byId = policy({ name: "ids", integrations: { scope: "ids", ids: [INT1] } });
    const otherId = policy({ name: "other", integrations: { scope: "ids", ids: [CH1] } });
    const off = policy({ name: "off", enabled: false, integrations: { scope: "all" } });
    expect(policiesCovering([byType, byId, otherId, off], lab).map((p) => p.name)).toEqual(["types", "ids"]);
    expect(policiesCovering([byType, otherId, off], { id: INT1, type: "FHIR" })).toEqual([]);
  });
});
