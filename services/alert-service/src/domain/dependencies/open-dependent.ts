import type { IncidentError } from "@hip/contracts";
import type { Tx } from "../../db/client.ts";
import type { IncidentRow, IntegrationRow } from "../../db/schema.ts";
import type { DomainDeps } from "../context.ts";
import { openIncident } from "../incidents/open-incident.ts";
import { openParentIncident } from "./dependencies.ts";

/**
 * An integration with dependencies turned ERROR. A parent has an open incident: this one opens suppressed, linked
 * to it (no notification; the parent's digest names it). None has: it opens suppressed for the hold, waiting for
 * one (parents and children failing together reach this service in any order across partitions), and is paged at
 * the hold's end if no parent failed. No dependencies, or a status change too old to page: "independent".
 */
export async function openAsDependent(
  tx: Tx,
  deps: Pick<DomainDeps, "topics" | "notifyMaxEventAgeMs" | "clock">,
  args: { integration: IntegrationRow; eventId: string; at: Date; error: IncidentError | null },
): Promise<IncidentRow | "independent" | null> {
  const { integration } = args;
  if ((integration.dependsOn ?? []).length === 0) return "independent";
  if (deps.clock().getTime() - args.at.getTime() > deps.notifyMaxEventAgeMs) return "independent";
  const parent = await openParentIncident(tx, integration);
  return openIncident(tx, deps, {
    ...args,
    silent: parent
      ? `suppressed: depends on ${parent.integrationName ?? parent.integrationId}, which is failing`
      : "waiting for the integrations it depends on",
    dependency: { parent },
  });
}
