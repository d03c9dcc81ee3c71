import type {
  CreatePolicyBody,
  IntegrationType,
  PolicyScope,
  PolicyView,
  UpdatePolicyBody,
} from "@hip/contracts";

export type ScopeKind = PolicyScope["scope"];

export interface PolicyFormValues {
  name: string;
  enabled: boolean;
  scope: ScopeKind;
  types: IntegrationType[];
  ids: string[];
  channelIds: string[];
  notifyOnResolve: boolean;
  /** Minutes as typed; "" = no reminders. */
  renotifyMinutes: number | "";
  escalate: boolean;
  escalationAfterMinutes: number | "";
  escalationChannelIds: string[];
  /** Flapping rule: off = `flapping: null`. */
  detectFlapping: boolean;
  flapChanges: number | "";
  flapWindowMinutes: number | "";
  flapStableMinutes: number | "";
  /** Days before a certificate or credentials expire that get a notice, comma-separated ("30, 14, 7, 1"). */
  expiryDays: string;
  /** Minutes after a parent recovers before a dependent still failing is notified. */
  dependencyGraceMinutes: number | "";
}

export function emptyPolicyForm(): PolicyFormValues {
  return {
    name: "",
    enabled: true,
    scope: "all",
    types: [],
    ids: [],
    channelIds: [],
    notifyOnResolve: true,
    renotifyMinutes: "",
    escalate: false,
    escalationAfterMinutes: 30,
    escalationChannelIds: [],
    detectFlapping: true,
    flapChanges: 4,
    flapWindowMinutes: 30,
    flapStableMinutes: 15,
    expiryDays: "30, 14, 7, 1",
    dependencyGraceMinutes: 2,
  };
}

export function policyFormFromView(p: PolicyView): PolicyFormValues {
  return {
    name: p.name,
    enabled: p.enabled,
    scope: p.integrations.scope,
    types: p.integrations.scope === "types" ? [...p.integrations.types] : [],
    ids: p.integrations.scope === "ids" ? [...p.integrations.ids] : [],
    channelIds: [...p.channelIds],
    notifyOnResolve: p.notifyOnResolve,
    renotifyMinutes: p.renotifyMinutes ?? "",
    escalate: p.escalation !== null,
    escalationAfterMinutes: p.escalation?.afterMinutes ?? 30,
    escalationChannelIds: p.escalation ? [...p.escalation.channelIds] : [],
    detectFlapping: p.flapping !== null,
    flapChanges: p.flapping?.changes ?? 4,
    flapWindowMinutes: p.flapping?.windowMinutes ?? 30,
    flapStableMinutes: p.flapping?.stableMinutes ?? 15,
    expiryDays: p.expiryDays.join(", "),
    dependencyGraceMinutes: p.dependencyGraceMinutes,
  };
}

export function scopeOf(v: PolicyFormValues): PolicyScope {
  if (v.scope === "types") return { scope: "types", types: v.types };
  if (v.scope === "ids") return { scope: "ids", ids: v.ids };
  return { scope: "all" };
}

export type PolicyFormErrors = Partial<
  Record<
    | "name"
    | "channelIds"
    | "integrations"
    | "renotifyMinutes"
    | "escalation"
    | "flapping"
    | "expiryDays"
    | "dependencyGraceMinutes",
    string
  >
>;

export function validatePolicyForm(v: PolicyFormValues): PolicyFormErrors {
  const e: PolicyFormErrors = {};
  if (!v.name.trim()) e.name = "Name is required";
  if (v.channelIds.length === 0) e.channelIds = "Pick at least one channel";
  if (v.scope === "types" && v.types.length === 0) e.integrations = "Pick at least one type";
  if (v.scope === "ids" && v.ids.length === 0) e.integrations = "Pick at least one integration";
  if (v.escalate && v.escalationChannelIds.length === 0) e.escalation = "Pick the channels to escalate to";
  if (v.escalate && v.escalationAfterMinutes === "") e.escalation = "Say after how many minutes";
  if (v.detectFlapping && (v.flapChanges === "" || v.flapWindowMinutes === "" || v.flapStableMinutes === ""))
    e.flapping = "Give the changes, the window and the stable time";
  if (parseDays(v.expiryDays) === null) e.expiryDays = "Whole days from 1 to 365, separated by commas";
  return e;
}

/** "30, 14, 7" -> [30, 14, 7]; "" -> []; null when a part is not a whole number of days 1..365. */
export function parseDays(text: string): number[] | null {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const days = parts.map(Number);
  return days.every((d) => Number.isInteger(d) && d >= 1 && d <= 365) && days.length <= 10 ? days : null;
}

/** Create and update send the whole policy: the API replaces each field given. */
export function toPolicyBody(v: PolicyFormValues): CreatePolicyBody & UpdatePolicyBody {
  return {
    name: v.name.trim(),
    enabled: v.enabled,
    integrations: scopeOf(v),
    channelIds: v.channelIds,
    notifyOnResolve: v.notifyOnResolve,
    renotifyMinutes: v.renotifyMinutes === "" ? null : v.renotifyMinutes,
    escalation:
      v.escalate && v.escalationAfterMinutes !== ""
        ? { afterMinutes: v.escalationAfterMinutes, channelIds: v.escalationChannelIds }
        : null,
    flapping:
      v.detectFlapping && v.flapChanges !== "" && v.flapWindowMinutes !== "" && v.flapStableMinutes !== ""
        ? { changes: v.flapChanges, windowMinutes: v.flapWindowMinutes, stableMinutes: v.flapStableMinutes }
        : null,
    expiryDays: parseDays(v.expiryDays) ?? [],
    dependencyGraceMinutes: v.dependencyGraceMinutes === "" ? 2 : v.dependencyGraceMinutes,
  };
}

/**
 * Whether anyone is notified at all: the alert service notifies only through enabled policies (a tenant without
 * one still gets incidents, but nobody is told).
 */
export function notificationCoverage(policies: readonly PolicyView[]): "none" | "disabled" | "some" {
  if (policies.length === 0) return "none";
  return policies.some((p) => p.enabled) ? "some" : "disabled";
}

export function describeScope(scope: PolicyScope, typeLabel: (t: IntegrationType) => string): string {
  switch (scope.scope) {
    case "all":
      return "All integrations";
    case "types":
      return `Types: ${scope.types.map(typeLabel).join(", ")}`;
    case "ids":
      return `${scope.ids.length} selected integration${scope.ids.length === 1 ? "" : "s"}`;
  }
}

/** The enabled policies whose scope includes this integration (the alert service applies the same rule). */
export function policiesCovering(
  policies: readonly PolicyView[],
  integration: { id: string; type: IntegrationType },
): PolicyView[] {
  return policies.filter((p) => {
    if (!p.enabled) return false;
    const s = p.integrations;
    if (s.scope === "all") return true;
    if (s.scope === "types") return s.types.includes(integration.type);
    return s.ids.includes(integration.id);
  });
}
