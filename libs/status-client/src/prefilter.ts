import { AnyEvent, STATUS_STATE_EVENT_TYPES } from "@hip/contracts";

export type Prefiltered = { kind: "apply"; event: AnyEvent } | { kind: "ignored" } | { kind: "malformed" };

/**
 * Decides on two envelope fields whether a message can matter before paying for the schema parse: probe results
 * (most of the status topic), test requests and other tenants' events are ignored unparsed. Only candidates are
 * validated against the contract; a candidate that does not match it is malformed (skipped, counted).
 */
export function prefilter(raw: unknown, inScope: (tenantId: string) => boolean): Prefiltered {
  if (typeof raw !== "object" || raw === null) return { kind: "malformed" };
  const { type, tenantid } = raw as { type?: unknown; tenantid?: unknown };
  if (typeof type !== "string" || typeof tenantid !== "string") return { kind: "malformed" };
  if (!STATUS_STATE_EVENT_TYPES.has(type as AnyEvent["type"]) || !inScope(tenantid))
    return { kind: "ignored" };
  const parsed = AnyEvent.safeParse(raw);
  return parsed.success ? { kind: "apply", event: parsed.data } : { kind: "malformed" };
}
