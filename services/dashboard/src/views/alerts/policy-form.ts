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
  };
}

export function scopeOf(v: PolicyFormValues): PolicyScope {
  if (v.scope === "types") return { scope: "types", types: v.types };
  if (v.scope === "ids") return { scope: "ids", ids: v.ids };
  return { scope: "all" };
}

export type PolicyFormErrors = Partial<
  Record<"name" | "channelIds" | "integrations" | "renotifyMinutes" | "escalation", string>
>;

export function validatePolicyForm(v: PolicyFormValues): PolicyFormErrors {
  const e: PolicyFormErrors = {};
  if (!v.name.trim()) e.name = "Name is required";
  if (v.channelIds.length === 0) e.channelIds = "Pick at least one channel";
  if (v.scope === "types" && v.types.length === 0) e.integrations = "Pick at least one type";
  if (v.scope === "ids" && v.ids.length === 0) e.integrations = "Pick at least one integration";
  if (v.escalate && v.escalationChannelIds.length === 0) e.escalation = "Pick the channels to escalate to";
  if (v.escalate && v.escalationAfterMinutes === "") e.escalation = "Say after how many minutes";
  return e;
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
